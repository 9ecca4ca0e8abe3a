import 'server-only';
import { getChatEnv, type ResolvedChatEnv } from '../../config/env';
import { getChatStore } from '../../store';
import { createChatHandler, type ChatHandler } from './chat-handler';
import { handlerOptionsFromEnv } from './env-options';
import type { ChatHandlerOptions } from './handler-options';
import { errorResponse } from './http';

/**
 * The handler the environment configures, store included: Supabase, Postgres or embedded, chosen
 * at run time (store/index). All three stores' drivers are therefore bundled (one loads); an app
 * on one store builds its handler with that store's factory from the server's front door instead.
 * The seed's path `api/chat-handler` serves these.
 */

/** The options the environment describes: its store, its providers and keys, its limits. */
export function chatHandlerOptionsFromEnv(env: ResolvedChatEnv = getChatEnv()): ChatHandlerOptions {
  return { ...handlerOptionsFromEnv(env), store: getChatStore() };
}

const holder = globalThis as typeof globalThis & { __aiChatHandler?: ChatHandler };

/** The process-wide handler configured from the environment. */
export function getDefaultChatHandler(): ChatHandler {
  holder.__aiChatHandler ??= createChatHandler(chatHandlerOptionsFromEnv());
  return holder.__aiChatHandler;
}

/** The seed's entry point: `export async function POST(request) { return handleChatRequest(request) }`. */
export async function handleChatRequest(request: Request): Promise<Response> {
  try {
    return await getDefaultChatHandler().chat(request);
  } catch (error) {
    return errorResponse(error);
  }
}

/** The REST routes, for `app/api/chat/[...path]/route.ts`. */
export async function handleChatRoutes(request: Request): Promise<Response> {
  try {
    return await getDefaultChatHandler().route(request);
  } catch (error) {
    return errorResponse(error);
  }
}
