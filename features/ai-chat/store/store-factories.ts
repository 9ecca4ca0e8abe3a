import 'server-only';
import type { UserProfile } from './local-user';
import type { ChatStore, UserChatStore } from './chat-store';

/**
 * The stores as the server's front door hands them out: each factory (its own file, so a bundler
 * sees one store's dynamic import only) imports its store and driver (node-postgres, PGlite,
 * supabase-js) only when called, and the store opens on first use. Importing
 * `features/ai-chat/server` loads no driver; an app on Postgres bundles node-postgres and nothing
 * of PGlite or Supabase (tests/architecture/store-bundling).
 */

/** A store that can act as a given user (the handler's `authenticate`, scripts). */
export interface ActingChatStore extends ChatStore {
  forUser(userId: string, profile?: UserProfile): Promise<UserChatStore>;
}
