import { createHmac, timingSafeEqual } from 'node:crypto';

/** The claims a Supabase JWT carries that the fakes read: `role` picks the database role. */
export interface SupabaseClaims {
  role: 'anon' | 'authenticated' | 'service_role';
  sub?: string;
  exp?: number;
  [claim: string]: unknown;
}

const HEADER = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));

function base64url(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}

function sign(input: string, secret: string): string {
  return createHmac('sha256', secret).update(input).digest('base64url');
}

/** An HS256 JWT, as Supabase signs its legacy API keys and its access tokens. */
export function signJwt(claims: SupabaseClaims, secret: string): string {
  const body = `${HEADER}.${base64url(JSON.stringify(claims))}`;
  return `${body}.${sign(body, secret)}`;
}

/** The claims of a JWT signed with `secret` that has not expired; null for anything else. */
export function verifyJwt(token: string, secret: string): SupabaseClaims | null {
  const [header, payload, signature] = token.split('.');
  if (!header || !payload || !signature) return null;
  const expected = Buffer.from(sign(`${header}.${payload}`, secret));
  const actual = Buffer.from(signature);
  if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) return null;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as SupabaseClaims;
    if (typeof claims.exp === 'number' && claims.exp * 1000 <= Date.now()) return null;
    return claims;
  } catch {
    return null;
  }
}

/** The token of an `Authorization: Bearer …` header, or null. */
export function bearerToken(header: string | null): string | null {
  const match = /^Bearer (.+)$/i.exec(header ?? '');
  return match?.[1] ?? null;
}
