import 'server-only';
import { createHash } from 'node:crypto';
import { isUuid } from './ids';

/**
 * The UUID v5 namespace of ai-chat user ids (RFC 9562 §5.5). Fixed forever: changing it would
 * give every Clerk or Auth.js user a new, empty account.
 */
export const USER_ID_NAMESPACE = '5d1a2f0e-7c3b-5e4a-9b61-2f8d4c0a7e93';

/**
 * The database user id for a sign-in's user id: a UUID stays itself (lowercased: Supabase Auth,
 * Auth.js with a UUID adapter); anything else (Clerk's `user_2abc…`, a cuid, an email) becomes
 * the UUID v5 of that exact string in USER_ID_NAMESPACE, so the same id always opens the same rows.
 */
export function databaseUserId(externalId: string): string {
  if (externalId.length === 0) throw new TypeError('An empty user id names nobody.');
  if (isUuid(externalId)) return externalId.toLowerCase();
  return uuidV5(externalId, USER_ID_NAMESPACE);
}

/** The UUID v5 of `name` in `namespace` (RFC 9562 §5.5). */
export function uuidV5(name: string, namespace: string): string {
  const hash = createHash('sha1')
    .update(Buffer.from(namespace.replaceAll('-', ''), 'hex'))
    .update(name, 'utf8')
    .digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50; // version 5
  hash[8] = (hash[8]! & 0x3f) | 0x80; // RFC variant
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
