import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Routes the load scripts plant in their build copy (scripts/lib/built-app-copy.ts), never in the
 * app. Each is a real file under planted-routes/, type-checked with the repo (`npm run
 * typecheck`), so a renamed export breaks the check, not a CI build twenty minutes in.
 */
const SOURCES = fileURLToPath(new URL('./planted-routes/', import.meta.url));

/**
 * The reference the load scripts measure the module against, side by side in one run: a route
 * that only relays the provider's stream through Next and the official OpenAI SDK, as the chat's
 * own events, with no module code (no store, no limits, no checkpoints). What it costs is the floor
 * of Next plus the SDK on this machine; what the chat route costs above it is the module's.
 */
export const REFERENCE_RELAY_ROUTE = '/api/reference-relay';

/**
 * The many-users mode (issue 23, goal 2): the app's chat as the environment configures it, behind
 * an `authenticate` that names the user in a request header, so a load run spreads its chats over
 * many users instead of `AI_CHAT_AUTH=local-user`'s one. A header anyone can set is no sign-in:
 * this is why it lives here and not in the app.
 */
export const MANY_USERS_ROUTE = '/api/load-many-users';
export const LOAD_USER_HEADER = 'x-load-user';

const PLANTED = [
  { route: REFERENCE_RELAY_ROUTE, source: 'reference-relay.route.ts' },
  { route: MANY_USERS_ROUTE, source: 'many-users.route.ts' },
] as const;

/** The planted sources, for the build copy's hash: a change to one rebuilds the copy. */
export async function plantedRoutesSource(): Promise<string> {
  const sources = await Promise.all(PLANTED.map(({ source }) => readFile(path.join(SOURCES, source), 'utf8')));
  return sources.join('\0');
}

/** Writes every planted route into a build copy's app folder. */
export async function plantRoutes(appDir: string): Promise<void> {
  for (const { route, source } of PLANTED) {
    const file = path.join(appDir, 'app', ...route.split('/').filter(Boolean), 'route.ts');
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, await readFile(path.join(SOURCES, source)));
  }
}
