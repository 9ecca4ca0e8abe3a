import 'server-only';
import { getChatEnv, type ResolvedChatEnv } from '../../config/env';
import { ChatError } from '../../protocol/errors';
import { createAnthropicProvider } from '../../providers/anthropic/provider';
import { createConfiguredOpenAIProvider } from '../../providers/openai/configured-provider';
import { createDemoProvider } from '../../providers/demo/provider';
import type { ChatProvider, ProviderName } from '../../providers/types';
import { getChatStore, type UserChatStore } from '../../store';
import { splitAuthenticatedUser } from '../../store/local-user';
import { resolveHandlerOptions, type ChatHandlerOptions, type ModelPolicy, type ResolvedHandlerOptions } from './handler-options';
import { errorResponse, SSE_HEADERS } from './http';
import { createOpenAIModeration } from '../turn/moderation';
import { planTurn } from '../turn/plan-turn';
import { assertAllowedRequest, isAttachmentUpload, requestGuardOptionsFromEnv } from './request-guard';
import { ReplyRegistry } from '../replies/reply-registry';
import { routeRest } from './rest-routes';
import { startTurn } from '../turn/run-turn';

export type { ChatHandlerOptions, UsageLimits, UsageReport, FinishReport, ModelPolicy, ProviderTarget } from './handler-options';
export { defineTool, type ChatTool } from '../turn/tools';
export { createOpenAIModeration, type Moderation } from '../turn/moderation';
export type { RequestGuardOptions } from './request-guard';

export interface ChatHandler {
  /** POST /api/chat: one turn, streamed as SSE (see protocol/chat-events). */
  chat(request: Request): Promise<Response>;
  /** The REST routes under the base path (conversations, usage, config). */
  route(request: Request): Promise<Response>;
  readonly options: ResolvedHandlerOptions;
  /** This instance's reply runs (checkpoint counts, and a test seam to make the instance "die"). */
  readonly replies: ReplyRegistry;
}

/** Stop requests from other instances are read this often: honoured well within a second. */
const STOP_POLL_MS = 250;
/** The sweeper for replies of dead instances runs at most this often, while the handler is used. */
const SWEEP_INTERVAL_MS = 5_000;

/** A chat handler for these options: call it from route files, or in tests without a server. */
export function createChatHandler(options: ChatHandlerOptions): ChatHandler {
  const resolved = resolveHandlerOptions(options);
  // This handler's reply runs: one instance's, checkpointed to the store for the others.
  const replies = new ReplyRegistry({
    store: resolved.store.replies,
    checkpointIntervalMs: resolved.checkpointIntervalMs,
    stopPollMs: STOP_POLL_MS,
    staleReplySeconds: resolved.staleReplySeconds,
    sweepIntervalMs: SWEEP_INTERVAL_MS,
  });
  const authenticate = async (request: Request) => {
    const user = resolved.authenticate ? await userFromSignIn(resolved, request) : await resolved.store.forRequest(request);
    if (!user) throw new ChatError('unauthorized', 'Sign in to chat.');
    return user;
  };

  return {
    options: resolved,
    replies,
    async chat(request) {
      try {
        assertAllowedRequest(request, resolved.requestGuard);
        if (request.method.toUpperCase() !== 'POST') {
          throw new ChatError('bad_request', 'Send the message with POST.');
        }
        const user = await authenticate(request);
        replies.touch();
        const plan = await planTurn(request, user, resolved);
        return new Response(startTurn(plan, resolved, replies), { headers: SSE_HEADERS });
      } catch (error) {
        return errorResponse(error);
      }
    },
    async route(request) {
      try {
        assertAllowedRequest(request, resolved.requestGuard, { allowMultipart: isAttachmentUpload(request, resolved.basePath) });
        const user = await authenticate(request);
        replies.touch();
        return await routeRest(request, user, resolved, replies);
      } catch (error) {
        return errorResponse(error);
      }
    },
  };
}

/** The user the app's own sign-in names (the `authenticate` option), opened in the store. */
async function userFromSignIn(options: ResolvedHandlerOptions, request: Request): Promise<UserChatStore | null> {
  const { store } = options;
  if (!store.forUser) {
    throw new ChatError('not_configured', 'This store signs users in itself (Supabase: cookies); `authenticate` needs the Postgres or embedded store.');
  }
  const signedIn = await options.authenticate!(request);
  if (!signedIn) return null;
  const { id, profile } = splitAuthenticatedUser(signedIn);
  if (typeof id !== 'string' || id.length === 0) throw new ChatError('internal', '`authenticate` returned a user without an id.');
  return store.forUser(id, profile);
}

/** The options the environment describes: its store, its providers and keys, its limits. */
export function chatHandlerOptionsFromEnv(env: ResolvedChatEnv = getChatEnv()): ChatHandlerOptions {
  const providers: Partial<Record<ProviderName, ChatProvider>> = {};
  if (env.OPENAI_API_KEY?.length) {
    providers.openai = createConfiguredOpenAIProvider({ apiKeys: env.OPENAI_API_KEY, baseURL: env.OPENAI_BASE_URL, api: env.openaiApi });
  }
  if (env.ANTHROPIC_API_KEY?.length) {
    providers.anthropic = createAnthropicProvider({ apiKeys: env.ANTHROPIC_API_KEY, baseURL: env.ANTHROPIC_BASE_URL });
  }
  // The first run of `next dev` chats before any key is set, with a model that says what it is.
  if (env.demo) providers.demo = createDemoProvider();
  tellOperator(env, providers);
  return {
    store: getChatStore(),
    providers,
    defaultProvider: providers.demo ? 'demo' : env.defaultProvider,
    models: {
      openai: modelPolicyFromList(env.AI_CHAT_OPENAI_MODELS),
      anthropic: modelPolicyFromList(env.AI_CHAT_ANTHROPIC_MODELS),
    },
    moderation:
      env.AI_CHAT_MODERATION === 'openai'
        ? createOpenAIModeration({ apiKey: env.OPENAI_API_KEY![0]!, baseURL: env.OPENAI_BASE_URL })
        : undefined,
    responseCache: env.AI_CHAT_RESPONSE_CACHE_SECONDS ? { ttlSeconds: env.AI_CHAT_RESPONSE_CACHE_SECONDS } : false,
    summary: env.AI_CHAT_SUMMARY === 'on' ? {} : false,
    unpricedModelPrice: env.AI_CHAT_UNPRICED_MODEL_PRICE,
    limits: {
      maxTokensPerDay: env.AI_CHAT_MAX_TOKENS_PER_DAY ?? null,
      maxCostPerMonth: env.AI_CHAT_MAX_COST_PER_MONTH ?? null,
      maxRequestsPerMinute: env.AI_CHAT_MAX_REQUESTS_PER_MINUTE ?? null,
    },
    requestGuard: requestGuardOptionsFromEnv(env),
    attachments: {
      ...(env.AI_CHAT_STORAGE_QUOTA_MB ? { maxStorageBytesPerUser: env.AI_CHAT_STORAGE_QUOTA_MB * 1024 * 1024 } : {}),
      ...(env.AI_CHAT_UNSENT_FILE_HOURS ? { unsentFileMaxAgeSeconds: env.AI_CHAT_UNSENT_FILE_HOURS * 3600 } : {}),
    },
    ...(env.AI_CHAT_MAX_REPLY_SECONDS ? { maxReplySeconds: env.AI_CHAT_MAX_REPLY_SECONDS } : {}),
  };
}

/**
 * What the operator may still set up, said once in the server log: never to the person chatting,
 * who can do nothing about a missing key.
 */
function tellOperator(env: ResolvedChatEnv, providers: Partial<Record<ProviderName, ChatProvider>>): void {
  if (env.NODE_ENV === 'test') return;
  if (providers.demo) {
    console.info('ai-chat: no provider key is set, so chats go to the offline demo model (canned replies, no AI). Set OPENAI_API_KEY or ANTHROPIC_API_KEY in .env.local and restart to chat with a real model.');
    return;
  }
  if (!providers.openai && !providers.anthropic) {
    console.warn('ai-chat: no provider key is set: people cannot chat. Set OPENAI_API_KEY or ANTHROPIC_API_KEY and restart.');
    return;
  }
  if (!providers.openai) console.info('ai-chat: OpenAI models are not offered; set OPENAI_API_KEY to offer them.');
  if (!providers.anthropic) console.info('ai-chat: Claude models are not offered; set ANTHROPIC_API_KEY to offer them.');
}

/** A list's first model is the default; no list means the provider's default model only. */
function modelPolicyFromList(models: string[] | undefined): ModelPolicy | undefined {
  return models ? { defaultModel: models[0]!, allowedModels: models } : undefined;
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
