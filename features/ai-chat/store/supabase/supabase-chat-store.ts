import 'server-only';
import { createServerClient, parseCookieHeader, type CookieMethodsServer } from '@supabase/ssr';
import { createClient, type SupabaseClientOptions } from '@supabase/supabase-js';
import type { ChatStore } from '../chat-store';
import { SupabaseReplyRunStore } from './supabase-reply-run-store';
import { SUPABASE_MAX_ROWS } from './read-pages';
import { SupabaseUserStore } from './supabase-user-store';
import { supabaseSharedConversationReader } from './supabase-user-search-share-feedback';

export interface SupabaseChatStoreOptions {
  url: string;
  anonKey: string;
  /** Used only for what the server itself must write: usage rows. Never for a user's reads. */
  serviceRoleKey: string;
  /**
   * How to read (and, where the framework allows, write back) the session cookies of a request.
   * Defaults to reading the request's Cookie header; refreshing the session is then the job of
   * the app's proxy (middleware), as @supabase/ssr recommends.
   */
  cookies?: (request: Request) => CookieMethodsServer;
  /** For tests and custom transports. */
  fetch?: typeof fetch;
  /**
   * Your project's PostgREST `max-rows` (Settings → API; Supabase's default is 1,000). Long lists
   * (a conversation's messages, its branch) are read in pages of this many rows; set it if you
   * lowered the cap, or pages would end early.
   */
  maxRows?: number;
}

type RealtimeTransport = NonNullable<NonNullable<SupabaseClientOptions<'public'>['realtime']>['transport']>;

/**
 * supabase-js builds a Realtime client in every createClient, and that throws where there is no
 * global WebSocket (Node 20). The store never opens a channel, so Realtime gets a transport that
 * refuses to be used instead of a dependency on `ws`.
 */
class RealtimeUnused {
  constructor() {
    throw new Error('ai-chat: the chat store does not use Supabase Realtime');
  }
}
const realtime = { transport: RealtimeUnused as unknown as RealtimeTransport };

/**
 * The store on a Supabase project: each request gets a supabase-js client carrying that user's
 * session, so PostgREST runs every query as the user and RLS decides what they can reach.
 */
export function createSupabaseChatStore(options: SupabaseChatStoreOptions): ChatStore {
  const global = options.fetch ? { fetch: options.fetch } : undefined;
  const pageRows = Math.max(1, Math.floor(options.maxRows ?? SUPABASE_MAX_ROWS));
  const service = createClient(options.url, options.serviceRoleKey, {
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
    global,
    realtime,
  });

  // Share links are read as anyone holding one: the anon key, no session.
  const anon = createClient(options.url, options.anonKey, {
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
    global,
    realtime,
  });

  return {
    replies: new SupabaseReplyRunStore(service),
    shares: supabaseSharedConversationReader(anon),
    async forRequest(request) {
      const client = createServerClient(options.url, options.anonKey, {
        cookies: options.cookies?.(request) ?? readRequestCookies(request),
        global,
        realtime,
      });
      // getUser() asks Supabase Auth to verify the token: a cookie alone proves nothing.
      const { data, error } = await client.auth.getUser();
      if (error || !data.user) return null;
      return new SupabaseUserStore(client, service, data.user.id, pageRows);
    },
    async close() {},
  };
}

function readRequestCookies(request: Request): CookieMethodsServer {
  return {
    getAll: () =>
      parseCookieHeader(request.headers.get('cookie') ?? '').map(({ name, value }) => ({
        name,
        value: value ?? '',
      })),
  };
}
