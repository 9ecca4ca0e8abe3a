import 'server-only';
import { lazyChatStore } from '../lazy-chat-store';
import type { ActingChatStore } from '../store-factories';
import type { PostgresChatStoreOptions } from './postgres-chat-store';

/** The Postgres store, node-postgres loaded on first use (see store-factories). */
export function createPostgresChatStore(options: PostgresChatStoreOptions = {}): ActingChatStore {
  return lazyChatStore(async () => (await import('./postgres-chat-store')).createPostgresChatStore(options), { actsAsUser: true }) as ActingChatStore;
}
