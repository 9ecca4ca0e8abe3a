import type { FakeSupabaseProject } from './fake-supabase-project';

/**
 * A request straight to the project's PostgREST, as an attacker with the public anon key sends it:
 * with a user's JWT, or (token null) as anon. Returns what PostgREST answered.
 */
export function postgrestCall(project: FakeSupabaseProject, method: string, path: string, body: unknown, token: string | null): Promise<Response> {
  return fetch(`${project.url}/rest/v1/${path}`, {
    method,
    headers: {
      apikey: project.anonKey,
      authorization: `Bearer ${token ?? project.anonKey}`,
      'content-type': 'application/json',
      prefer: 'return=representation',
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}
