import { chatHandlerOptionsFromEnv, createChatHandler, type ChatHandler } from '@/features/ai-chat/api/chat-handler';

// Load tests only (scripts/lib/planted-routes.ts): the user is whoever the header names.
const LOAD_USER_HEADER = 'x-load-user';
const holder = globalThis as typeof globalThis & { __aiChatManyUsers?: ChatHandler };

export async function POST(request: Request): Promise<Response> {
  holder.__aiChatManyUsers ??= createChatHandler({
    ...chatHandlerOptionsFromEnv(),
    authenticate: async (signedIn) => signedIn.headers.get(LOAD_USER_HEADER),
  });
  return holder.__aiChatManyUsers.chat(request);
}
