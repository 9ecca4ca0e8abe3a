import 'server-only';
import type { ChatStore } from '../chat-store';
import { lazyChatStore } from '../lazy-chat-store';
import type { SupabaseChatStoreOptions } from './supabase-chat-store';

/** The Supabase store, supabase-js loaded on first use (see store-factories). */
export function createSupabaseChatStore(options: SupabaseChatStoreOptions): ChatStore {
  return lazyChatStore(async () => (await import('./supabase-chat-store')).createSupabaseChatStore(options), { actsAsUser: false });
}
