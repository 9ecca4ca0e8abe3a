import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * The many-users mode of the load scripts (issue 23, goal 2): the app's chat, as the environment
 * configures it, behind an `authenticate` that names the user in a request header, so a load run
 * spreads its chats over many users instead of `AI_CHAT_AUTH=local-user`'s one. Written into the
 * load tests' build copy only (scripts/lib/built-app-copy.ts), never the app: a header anyone can
 * set is no sign-in.
 */
export const MANY_USERS_ROUTE = '/api/load-many-users';
export const LOAD_USER_HEADER = 'x-load-user';

/** Bump when the source below changes: it is part of the build copy's hash. */
export const MANY_USERS_ROUTE_VERSION = 'many-users-1';

const SOURCE = `import { chatHandlerOptionsFromEnv, createChatHandler, type ChatHandler } from '@/features/ai-chat/server';

// Load tests only (scripts/lib/many-users-route.ts): the user is whoever the header names.
const holder = globalThis as typeof globalThis & { __aiChatManyUsers?: ChatHandler };

export async function POST(request: Request): Promise<Response> {
  holder.__aiChatManyUsers ??= createChatHandler({
    ...chatHandlerOptionsFromEnv(),
    authenticate: async (signedIn) => signedIn.headers.get('${LOAD_USER_HEADER}'),
  });
  return holder.__aiChatManyUsers.chat(request);
}
`;

export async function writeManyUsersRoute(appDir: string): Promise<void> {
  const dir = path.join(appDir, 'app', ...MANY_USERS_ROUTE.split('/').filter(Boolean));
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'route.ts'), SOURCE);
}
