import 'server-only';

/** The one user of a local, single-user install (the embedded store, or `AI_CHAT_AUTH=local-user`). */
export const LOCAL_USER = {
  id: '00000000-0000-4000-8000-000000000001',
  email: 'local@localhost',
} as const;

/** What an app's sign-in says about the request's user: their id, or the id and an email. */
export type AuthenticatedUser = string | { id: string; email?: string | null };

/**
 * Who sent this request, from the app's own sign-in (Supabase Auth, Auth.js, Clerk…), verified
 * on the server; null when nobody is signed in. Never read it from the body or a plain header.
 */
export type Authenticate = (request: Request) => Promise<AuthenticatedUser | null>;

/** The user's profile as the stores take it: `forUser(id, profile)`. */
export interface UserProfile {
  email?: string | null;
}

export function splitAuthenticatedUser(user: AuthenticatedUser): { id: string; profile: UserProfile } {
  return typeof user === 'string' ? { id: user, profile: {} } : { id: user.id, profile: { email: user.email ?? null } };
}
