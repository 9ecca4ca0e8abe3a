import 'server-only';
import { getChatEnv, type ResolvedChatEnv } from '../config/env';
import type { ChatStore } from './chat-store';
import { createEmbeddedChatStore } from './embedded/embedded-chat-store';
import { createSupabaseChatStore } from './supabase/supabase-chat-store';

export type { ChatStore, UserChatStore } from './chat-store';

/** The store the environment asks for: Supabase when a project is configured, else embedded. */
export function createChatStoreFromEnv(env: ResolvedChatEnv): ChatStore {
  if (env.store === 'supabase') {
    return createSupabaseChatStore({
      url: env.NEXT_PUBLIC_SUPABASE_URL!,
      anonKey: env.NEXT_PUBLIC_SUPABASE_ANON_KEY!,
      serviceRoleKey: env.SUPABASE_SERVICE_ROLE_KEY!,
    });
  }
  return createEmbeddedChatStore({ dataDir: env.dataDir });
}

// On globalThis, not in module scope: Next's dev server re-evaluates modules on every edit, and
// two PGlite instances on one data folder would corrupt it.
const holder = globalThis as typeof globalThis & { __aiChatStore?: ChatStore };

/** The process-wide store, created on first use from the environment. */
export function getChatStore(): ChatStore {
  holder.__aiChatStore ??= createChatStoreFromEnv(getChatEnv());
  return holder.__aiChatStore;
}
