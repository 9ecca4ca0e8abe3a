/**
 * The `Cookie` header a browser sends after signing in through @supabase/ssr: one cookie named
 * after supabase-js's default storage key, `sb-<first label of the project host>-auth-token`,
 * holding the session JSON as `base64-` + base64url (ssr's default `cookieEncoding`). Small
 * sessions fit one cookie; ssr splits bigger ones into `.0`, `.1`… chunks, which this never needs.
 */
export function sessionCookie(
  projectUrl: string,
  { accessToken, expiresAt, userId }: { accessToken: string; expiresAt: number; userId: string },
): string {
  const session = {
    access_token: accessToken,
    token_type: 'bearer',
    expires_in: expiresAt - Math.floor(Date.now() / 1000),
    expires_at: expiresAt,
    refresh_token: 'fake-refresh-token',
    user: { id: userId, aud: 'authenticated', role: 'authenticated' },
  };
  const value = `base64-${Buffer.from(JSON.stringify(session), 'utf8').toString('base64url')}`;
  return `${sessionCookieName(projectUrl)}=${value}`;
}

/** supabase-js's default storage key for a project URL. */
export function sessionCookieName(projectUrl: string): string {
  return `sb-${new URL(projectUrl).hostname.split('.')[0]}-auth-token`;
}
