import 'server-only';
import { getChatEnv, type ResolvedChatEnv } from '../../config/env';
import { createDemoProvider } from '../../providers/demo/provider';
import { createAnthropicProvider } from '../../providers/anthropic/provider';
import { createConfiguredOpenAIProvider } from '../../providers/openai/configured-provider';
import type { ChatProvider, ProviderName } from '../../providers/types';
import { createOpenAIModeration } from '../turn/moderation';
import type { ChatHandlerOptions, ModelPolicy } from './handler-options';
import { requestGuardOptionsFromEnv } from './request-guard';

/**
 * The options the environment describes, all but the store: its providers and keys, models,
 * limits, request guard and files. Pair it with the store you choose:
 * `createChatHandler({ ...handlerOptionsFromEnv(), store: createPostgresChatStore(…) })`.
 */
export function handlerOptionsFromEnv(env: ResolvedChatEnv = getChatEnv()): Omit<ChatHandlerOptions, 'store'> {
  const providers: Partial<Record<ProviderName, ChatProvider>> = {};
  if (env.OPENAI_API_KEY?.length) {
    providers.openai = createConfiguredOpenAIProvider({ apiKeys: env.OPENAI_API_KEY, baseURL: env.OPENAI_BASE_URL, api: env.openaiApi });
  }
  if (env.ANTHROPIC_API_KEY?.length) {
    providers.anthropic = createAnthropicProvider({ apiKeys: env.ANTHROPIC_API_KEY, baseURL: env.ANTHROPIC_BASE_URL });
  }
  // The first run of `next dev` chats before any key is set, with a model that says what it is.
  // Never in a production server: the build folds this NODE_ENV test to false (env.demo also needs development).
  if (process.env.NODE_ENV !== 'production' && env.demo) providers.demo = createDemoProvider();
  tellOperator(env, providers);
  return {
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
    titles: env.AI_CHAT_TITLES === 'off' ? false : {},
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
    ...(env.AI_CHAT_MCP_SERVERS ? { mcpServers: env.AI_CHAT_MCP_SERVERS } : {}),
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
