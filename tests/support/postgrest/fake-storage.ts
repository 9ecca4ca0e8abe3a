import { http, HttpResponse, type HttpHandler } from 'msw';
import type { TestDatabase } from '../test-databases';
import { bearerToken, signJwt, verifyJwt, type SupabaseClaims } from './jwt';

/**
 * Supabase Storage in a box, for the endpoints the chat store calls (paths as @supabase/storage-js
 * sends them): upload `POST /object/<bucket>/<path>`, download `GET /object/<bucket>/<path>`,
 * remove `DELETE /object/<bucket>` `{prefixes}`, sign `POST /object/sign/<bucket>/<path>`
 * `{expiresIn}` and the signed read `GET /object/sign/<bucket>/<path>?token=`. Like the real
 * service, each writes or reads storage.objects as the JWT's role and claims, so the migration's
 * policies decide; the bytes sit in memory beside the rows.
 */
export interface FakeStorage {
  handlers: HttpHandler[];
  /** Bytes by `<bucket>/<name>`. */
  files: Map<string, { data: Uint8Array; contentType: string }>;
}

export function createFakeStorage(options: {
  url: string;
  database: TestDatabase;
  jwtSecret: string;
  apiKeys: ReadonlySet<string>;
}): FakeStorage {
  const base = `${options.url}/storage/v1`;
  const files = new Map<string, { data: Uint8Array; contentType: string }>();

  /** The caller's claims, or a refusal as the gateway or Storage gives it. */
  function claimsOf(request: Request): SupabaseClaims | Response {
    const apikey = request.headers.get('apikey');
    if (!apikey || !options.apiKeys.has(apikey)) return storageError(401, '401', 'Unauthorized', 'Invalid API key');
    const claims = verifyJwt(bearerToken(request.headers.get('authorization')) ?? '', options.jwtSecret);
    return claims ?? storageError(400, '403', 'Unauthorized', 'invalid signature');
  }

  async function asCaller<T>(claims: SupabaseClaims, text: string, params: unknown[]): Promise<{ rows: T[] } | { error: { code: string; message: string } }> {
    try {
      return await options.database.sql.transaction(async (tx) => {
        await tx.query(`select set_config('role', $1, true), set_config('request.jwt.claims', $2, true)`, [claims.role, JSON.stringify(claims)]);
        return { rows: (await tx.query<T>(text, params)).rows };
      });
    } catch (error) {
      const pg = error as { code?: string; message?: string };
      if (!pg.code) throw error;
      return { error: { code: pg.code, message: pg.message ?? '' } };
    }
  }

  /** `<bucket>/<name…>` after `prefix` (`/object/`, `/object/sign/`, `/object/authenticated/`). */
  const pathAfter = (request: Request, prefix: string) => {
    const pathname = new URL(request.url).pathname;
    const at = pathname.indexOf(prefix);
    const path = decodeURIComponent(pathname.slice(at + prefix.length));
    const [bucket, ...rest] = path.split('/');
    return bucket && rest.length > 0 ? { bucket, name: rest.join('/') } : null;
  };

  const post = http.post(`${base}/object/*`, async ({ request }) => {
    const claims = claimsOf(request);
    if (claims instanceof Response) return claims;
    if (new URL(request.url).pathname.startsWith(new URL(`${base}/object/sign/`).pathname)) {
      const where = pathAfter(request, '/object/sign/');
      if (!where) return storageError(400, '400', 'Invalid', 'bad path');
      const { expiresIn } = (await request.json()) as { expiresIn: number };
      const found = await asCaller(claims, `select name from storage.objects where bucket_id = $1 and name = $2`, [where.bucket, where.name]);
      if ('error' in found || found.rows.length === 0) return notFound();
      const token = signJwt({ role: 'anon', url: `${where.bucket}/${where.name}`, exp: Math.floor(Date.now() / 1000) + expiresIn }, options.jwtSecret);
      return HttpResponse.json({ signedURL: `/object/sign/${where.bucket}/${where.name}?token=${token}` });
    }
    const where = pathAfter(request, '/object/');
    if (!where) return storageError(400, '400', 'Invalid', 'bad path');
    const contentType = request.headers.get('content-type') ?? 'application/octet-stream';
    const data = new Uint8Array(await request.arrayBuffer());
    const [bucket] = await options.database.admin(`select allowed_mime_types, file_size_limit from storage.buckets where id = $1`, [where.bucket]);
    if (!bucket) return storageError(400, '404', 'Bucket not found', 'Bucket not found');
    const allowed = bucket.allowed_mime_types as string[] | null;
    if (allowed && !allowed.includes(contentType)) return storageError(400, '415', 'invalid_mime_type', `mime type ${contentType} is not supported`);
    if (bucket.file_size_limit && data.byteLength > Number(bucket.file_size_limit)) {
      return storageError(400, '413', 'Payload too large', 'The object exceeded the maximum allowed size');
    }
    const inserted = await asCaller<{ id: string }>(
      claims,
      `insert into storage.objects (bucket_id, name, owner_id, metadata) values ($1, $2, $3, jsonb_build_object('mimetype', $4::text, 'size', $5::bigint)) returning id`,
      [where.bucket, where.name, claims.sub ?? null, contentType, data.byteLength],
    );
    if ('error' in inserted) {
      if (inserted.error.code === '23505') return storageError(400, '409', 'Duplicate', 'The resource already exists');
      return storageError(400, '403', 'Unauthorized', 'new row violates row-level security policy');
    }
    files.set(`${where.bucket}/${where.name}`, { data, contentType });
    return HttpResponse.json({ Id: inserted.rows[0]!.id, Key: `${where.bucket}/${where.name}` });
  });

  const get = http.get(`${base}/object/*`, async ({ request }) => {
    const url = new URL(request.url);
    if (url.pathname.startsWith(new URL(`${base}/object/sign/`).pathname)) {
      const where = pathAfter(request, '/object/sign/');
      const claims = verifyJwt(url.searchParams.get('token') ?? '', options.jwtSecret);
      if (!where || !claims || claims.url !== `${where.bucket}/${where.name}`) return storageError(400, '400', 'InvalidSignature', 'The signature is invalid or expired');
      return serve(`${where.bucket}/${where.name}`);
    }
    const claims = claimsOf(request);
    if (claims instanceof Response) return claims;
    const where = pathAfter(request, url.pathname.includes('/object/authenticated/') ? '/object/authenticated/' : '/object/');
    if (!where) return notFound();
    const found = await asCaller(claims, `select name from storage.objects where bucket_id = $1 and name = $2`, [where.bucket, where.name]);
    if ('error' in found || found.rows.length === 0) return notFound();
    return serve(`${where.bucket}/${where.name}`);
  });

  const remove = http.delete(`${base}/object/*`, async ({ request }) => {
    const claims = claimsOf(request);
    if (claims instanceof Response) return claims;
    const bucket = decodeURIComponent(new URL(request.url).pathname.split('/object/')[1] ?? '');
    const { prefixes } = (await request.json()) as { prefixes: string[] };
    const deleted = await asCaller<{ name: string }>(
      claims,
      `delete from storage.objects where bucket_id = $1 and name = any($2::text[]) returning name`,
      [bucket, prefixes],
    );
    if ('error' in deleted) return storageError(400, '403', 'Unauthorized', deleted.error.message);
    for (const { name } of deleted.rows) files.delete(`${bucket}/${name}`);
    return HttpResponse.json(deleted.rows.map(({ name }) => ({ bucket_id: bucket, name })));
  });

  function serve(key: string): Response {
    const file = files.get(key);
    if (!file) return notFound();
    return new HttpResponse(file.data, { status: 200, headers: { 'content-type': file.contentType } });
  }

  return { handlers: [post, get, remove], files };
}

function notFound(): Response {
  return storageError(400, '404', 'not_found', 'Object not found');
}

/** Storage's error body: HTTP 400 for most refusals, the real status in `statusCode`. */
function storageError(status: number, statusCode: string, error: string, message: string): Response {
  return HttpResponse.json({ statusCode, error, message }, { status });
}
