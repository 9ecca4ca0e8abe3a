import 'server-only';
import { getChatEnv, type ResolvedChatEnv } from '../config/env';
import type { ChatStore } from './chat-store';
import { createEmbeddedChatStore } from './embedded/lazy-embedded-store';
import { createPostgresChatStore } from './postgres/lazy-postgres-store';
import { createSupabaseChatStore } from './supabase/lazy-supabase-store';

export type { ChatStore, UserChatStore } from './chat-store';

/**
 * The store the environment asks for: Supabase when a project is configured, else Postgres when
 * DATABASE_URL is set, else embedded. Each store's module (and driver) loads only when chosen and
 * first used. The Postgres store knows who is signed in only through an `authenticate`
 * (createChatHandler's option) or, with AI_CHAT_AUTH=local-user, as one local user.
 */
export function createChatStoreFromEnv(env: ResolvedChatEnv): ChatStore {
  if (env.store === 'postgres') {
    return createPostgresChatStore({
      connectionString: env.DATABASE_URL!,
      localUser: env.AI_CHAT_AUTH === 'local-user',
      migrate: env.AI_CHAT_DATABASE_MIGRATE ?? false,
      maxConnections: env.AI_CHAT_DATABASE_POOL_SIZE,
    });
  }
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
// two PGlite instances on one data folder would corrupt it (and pools would pile up).
const holder = globalThis as typeof globalThis & { __aiChatStore?: ChatStore };

/** The process-wide store, created on first use from the environment. */
export function getChatStore(): ChatStore {
  holder.__aiChatStore ??= createChatStoreFromEnv(getChatEnv());
  return holder.__aiChatStore;
}
