import { http, HttpResponse, type HttpHandler } from 'msw';
import type { TestDatabase } from '../test-databases';
import { createFakeStorage, type FakeStorage } from './fake-storage';
import { bearerToken, signJwt, verifyJwt, type SupabaseClaims } from './jwt';
import { PostgrestRequestError, rpcStatement, tableStatement, type PostgrestStatement } from './postgrest-sql';
import type { SchemaCatalog } from './schema-catalog';
import { sessionCookie } from './session-cookie';

/** One request the project received, as the assertions need it. */
export interface RecordedRequest {
  method: string;
  /** Path under the project URL: `/rest/v1/ai_chat_conversations`, `/rest/v1/rpc/<fn>`, `/auth/v1/user`. */
  path: string;
  query: URLSearchParams;
  authorization: string | null;
  apikey: string | null;
  prefer: string | null;
  accept: string | null;
  body: unknown;
}

export interface FakeSupabaseProject {
  url: string;
  anonKey: string;
  serviceRoleKey: string;
  /** msw handlers for Auth (`GET /auth/v1/user`), PostgREST (`/rest/v1/*`) and Storage (`/storage/v1/object/*`). */
  handlers: HttpHandler[];
  /** The Storage service's bytes. */
  storage: FakeStorage;
  /** Every request, in arrival order. */
  requests: RecordedRequest[];
  /** A session for `userId`: its access token and the `Cookie` header @supabase/ssr reads it from. */
  signIn(userId: string, options?: { signingSecret?: string }): { accessToken: string; cookie: string };
}

export interface FakeSupabaseProjectOptions {
  url: string;
  database: TestDatabase;
  catalog: SchemaCatalog;
  /**
   * PostgREST's `db-max-rows`: the most rows one read answers, whatever it asks for (a table read,
   * a set-returning function). Hosted Supabase's default is 1,000; null lifts the cap.
   */
  maxRows?: number | null;
}

const JWT_SECRET = 'fake-project-jwt-secret-with-at-least-32-characters';
const A_YEAR = 365 * 24 * 60 * 60;

/**
 * A Supabase project in a box: Auth answers who a token belongs to, PostgREST runs each request
 * in the migrated PGlite as the role and claims of its verified JWT (as the real one does), so
 * row-level security and function grants decide, and every row that comes back is a real one.
 * As the real one, it answers a read with at most `maxRows` rows, and runs GET requests (and a
 * POST to a stable or immutable function) in a READ ONLY transaction.
 */
export function createFakeSupabaseProject({ url, database, catalog, maxRows = 1000 }: FakeSupabaseProjectOptions): FakeSupabaseProject {
  const requests: RecordedRequest[] = [];
  const anonKey = signJwt({ iss: 'supabase', role: 'anon', exp: now() + 10 * A_YEAR }, JWT_SECRET);
  const serviceRoleKey = signJwt({ iss: 'supabase', role: 'service_role', exp: now() + 10 * A_YEAR }, JWT_SECRET);
  const apiKeys = new Set([anonKey, serviceRoleKey]);
  const storage = createFakeStorage({ url, database, jwtSecret: JWT_SECRET, apiKeys });

  async function record(request: Request): Promise<RecordedRequest> {
    const target = new URL(request.url);
    const text = request.method === 'GET' || request.method === 'HEAD' ? '' : await request.clone().text();
    const entry: RecordedRequest = {
      method: request.method,
      path: target.pathname,
      query: target.searchParams,
      authorization: request.headers.get('authorization'),
      apikey: request.headers.get('apikey'),
      prefer: request.headers.get('prefer'),
      accept: request.headers.get('accept'),
      body: text ? JSON.parse(text) : undefined,
    };
    requests.push(entry);
    return entry;
  }

  const getUser = http.get(`${url}/auth/v1/user`, async ({ request }) => {
    const entry = await record(request);
    if (!entry.apikey || !apiKeys.has(entry.apikey)) return authError(401, 'no_api_key', 'Invalid API key');
    const claims = verifyJwt(bearerToken(entry.authorization) ?? '', JWT_SECRET);
    if (!claims?.sub) return authError(403, 'bad_jwt', 'invalid JWT: unable to parse or verify signature, signature is invalid');
    const [user] = await database.admin(`select id, email, created_at from auth.users where id = $1`, [claims.sub]);
    if (!user) return authError(404, 'user_not_found', 'User from sub claim in JWT does not exist');
    return HttpResponse.json(authUser(user as { id: string; email: string | null; created_at: Date }), {
      headers: { 'x-supabase-api-version': '2024-01-01' },
    });
  });

  const rest = http.all(`${url}/rest/v1/*`, async ({ request }) => {
    const entry = await record(request);
    // The API gateway turns away anything without one of the project's keys.
    if (!entry.apikey || !apiKeys.has(entry.apikey)) {
      return HttpResponse.json({ message: 'Invalid API key', hint: 'Double check your Supabase `anon` or `service_role` API key.' }, { status: 401 });
    }
    const claims = verifyJwt(bearerToken(entry.authorization) ?? '', JWT_SECRET);
    if (!claims) return postgrestError(401, { code: 'PGRST301', message: 'JWT could not be decoded or has expired' });
    try {
      return await answer(entry, claims);
    } catch (error) {
      if (error instanceof PostgrestRequestError) {
        return postgrestError(error.status, { code: error.code, message: error.message, details: error.details });
      }
      const pg = error as { code?: string; message?: string; detail?: string; hint?: string };
      if (!pg.code) throw error;
      return postgrestError(statusOf(pg.code, claims.role), {
        code: pg.code,
        message: pg.message ?? '',
        details: pg.detail ?? null,
        hint: pg.hint ?? null,
      });
    }
  });

  async function answer(entry: RecordedRequest, claims: SupabaseClaims): Promise<Response> {
    const resource = entry.path.slice('/rest/v1/'.length);
    const wantsObject = entry.accept?.startsWith('application/vnd.pgrst.object+json') ?? false;

    if (resource.startsWith('rpc/')) {
      const name = resource.slice('rpc/'.length);
      const shape = catalog.functions.get(name);
      // POST sends the arguments as a JSON body; GET as query parameters, the rest being filters.
      const known = new Set(shape?.args.map((arg) => arg.name));
      const readsQuery = entry.method === 'GET' || entry.method === 'HEAD';
      const args = readsQuery
        ? Object.fromEntries([...entry.query.entries()].filter(([key]) => known.has(key)))
        : ((entry.body ?? {}) as Record<string, unknown>);
      const filters = readsQuery ? withoutKeys(entry.query, known) : entry.query;
      if (!shape || Object.keys(args).some((key) => !known.has(key))) {
        const listed = Object.keys(args).join(', ');
        throw new PostgrestRequestError(
          404,
          'PGRST202',
          `Could not find the function public.${name}(${listed}) in the schema cache`,
          `Searched for the function public.${name} with parameters ${listed || '(none)'}, but no matches were found in the schema cache.`,
        );
      }
      // A set-returning function answers like a table read; the others with their one value.
      return run(rpcStatement(name, shape, args, filters, maxRows), claims, {
        status: 200,
        returnsBody: shape.returns !== 'void',
        single: wantsObject && shape.returns === 'set',
        readOnly: readsQuery || shape.volatility !== 'volatile',
        offset: Number(filters.get('offset') ?? 0),
      });
    }

    if (!catalog.tables.has(resource)) {
      throw new PostgrestRequestError(404, 'PGRST205', `Could not find the table 'public.${resource}' in the schema cache`);
    }
    const reads = entry.method === 'GET' || entry.method === 'HEAD';
    return run(tableStatement(entry.method, resource, entry.query, entry.body, entry.prefer, reads ? maxRows : null), claims, {
      status: entry.method === 'POST' ? 201 : 200,
      // Writes answer with rows only when asked to (`Prefer: return=representation`).
      returnsBody: entry.method === 'GET' || (entry.prefer?.includes('return=representation') ?? false),
      single: wantsObject,
      readOnly: reads,
      offset: Number(entry.query.get('offset') ?? 0),
    });
  }

  async function run(
    statement: PostgrestStatement,
    claims: SupabaseClaims,
    {
      status,
      returnsBody,
      single,
      readOnly,
      offset,
    }: { status: number; returnsBody: boolean; single: boolean; readOnly: boolean; offset: number },
  ): Promise<Response> {
    const result = await database.sql.transaction(async (tx) => {
      // First in the transaction, as PostgREST opens it: a write under it fails with 25006.
      if (readOnly) await tx.query('set transaction read only');
      await tx.query(`select set_config('role', $1, true), set_config('request.jwt.claims', $2, true)`, [
        claims.role,
        JSON.stringify(claims),
      ]);
      const { rows } = await tx.query<{ body: string | null; rows: number }>(statement.sql, statement.params);
      return rows[0] ?? { body: '[]', rows: 0 };
    });
    if (!returnsBody) return new HttpResponse(null, { status: status === 200 ? 204 : status });
    if (single) {
      if (result.rows !== 1) {
        return postgrestError(406, {
          code: 'PGRST116',
          message: 'Cannot coerce the result to a single JSON object',
          details: `The result contains ${result.rows} rows`,
        });
      }
      const [row] = JSON.parse(result.body ?? '[]') as unknown[];
      return new HttpResponse(JSON.stringify(row), {
        status,
        headers: { 'content-type': 'application/vnd.pgrst.object+json; charset=utf-8' },
      });
    }
    return new HttpResponse(result.body, {
      status,
      headers: {
        'content-type': 'application/json; charset=utf-8',
        'content-range': result.rows ? `${offset}-${offset + result.rows - 1}/*` : '*/*',
      },
    });
  }

  return {
    url,
    anonKey,
    serviceRoleKey,
    handlers: [getUser, rest, ...storage.handlers],
    storage,
    requests,
    signIn(userId, { signingSecret = JWT_SECRET } = {}) {
      const expiresAt = now() + A_YEAR; // far enough that nothing tries to refresh it
      const accessToken = signJwt(
        { sub: userId, role: 'authenticated', aud: 'authenticated', exp: expiresAt, session_id: crypto.randomUUID() },
        signingSecret,
      );
      return { accessToken, cookie: sessionCookie(url, { accessToken, expiresAt, userId }) };
    },
  };
}

function now(): number {
  return Math.floor(Date.now() / 1000);
}

function withoutKeys(query: URLSearchParams, keys: ReadonlySet<string>): URLSearchParams {
  return new URLSearchParams([...query.entries()].filter(([key]) => !keys.has(key)));
}

/** PostgREST's status for a SQLSTATE (the subset a chat store can meet). */
function statusOf(code: string, role: SupabaseClaims['role']): number {
  if (code === '42501') return role === 'anon' ? 401 : 403;
  if (code === '23503' || code === '23505') return 409;
  if (code === '42P01' || code === '42883') return 404;
  // A write in a GET's read-only transaction.
  if (code === '25006') return 405;
  return 400;
}

function postgrestError(
  status: number,
  error: { code: string; message: string; details?: string | null; hint?: string | null },
): Response {
  return HttpResponse.json({ details: null, hint: null, ...error }, { status });
}

/** Supabase Auth's error body for API version 2024-01-01: a string code and a message. */
function authError(status: number, code: string, message: string): Response {
  return HttpResponse.json({ code, message }, { status, headers: { 'x-supabase-api-version': '2024-01-01' } });
}

/** The user object Supabase Auth returns from `GET /user`. */
function authUser(user: { id: string; email: string | null; created_at: Date }) {
  const created = new Date(user.created_at).toISOString();
  return {
    id: user.id,
    aud: 'authenticated',
    role: 'authenticated',
    email: user.email ?? '',
    email_confirmed_at: created,
    phone: '',
    confirmed_at: created,
    last_sign_in_at: created,
    app_metadata: { provider: 'email', providers: ['email'] },
    user_metadata: {},
    identities: [],
    created_at: created,
    updated_at: created,
    is_anonymous: false,
  };
}
