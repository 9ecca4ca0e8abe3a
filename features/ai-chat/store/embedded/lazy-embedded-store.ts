import 'server-only';
import { lazyChatStore } from '../lazy-chat-store';
import type { ActingChatStore } from '../store-factories';
import type { EmbeddedChatStoreOptions } from './embedded-chat-store';

/** The embedded store, PGlite loaded on first use (see store-factories). */
export function createEmbeddedChatStore(options: EmbeddedChatStoreOptions): ActingChatStore {
  return lazyChatStore(async () => (await import('./embedded-chat-store')).createEmbeddedChatStore(options), { actsAsUser: true }) as ActingChatStore;
}
