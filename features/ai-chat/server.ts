import 'server-only';

// The server's front door: the handler, tools, stores and pricing. Route files and server code of
// an app import from here; every other file in the module is internal and may move. The seed's
// deep paths (api/chat-handler, api/openai, api/claude, utils/*) keep working.

export {
  createChatHandler,
  getDefaultChatHandler,
  handleChatRequest,
  handleChatRoutes,
  chatHandlerOptionsFromEnv,
  defineTool,
  createOpenAIModeration,
  type ChatHandler,
  type ChatHandlerOptions,
  type ChatTool,
  type FinishReport,
  type ModelPolicy,
  type Moderation,
  type ProviderTarget,
  type RequestGuardOptions,
  type UsageLimits,
  type UsageReport,
} from './server/http/chat-handler';
export type { ToolContext } from './server/turn/tools';
export { assertAllowedCaller, resolveRequestGuard, requestGuardOptionsFromEnv } from './server/http/request-guard';
export { errorResponse } from './server/http/http';

export { sendOpenAIMessage, type SendOpenAIMessageOptions } from './api/openai';
export { sendClaudeMessage, type SendClaudeMessageOptions } from './api/claude';
export { streamClaudeResponse, streamOpenAIResponse } from './api/bare-stream';
export { fitToContextWindow, truncateMessages } from './server/turn/context';
export { checkUsageLimit, getUsageLimitStatus } from './server/ledger/check-usage-limit';
export { summarizeConversation } from './server/turn/summarize';

export {
  calculateCost,
  createPricing,
  describeCost,
  registerModels,
  resolveModel,
  type CostBreakdown,
  type ModelInfo,
  type Pricing,
  type TokenUsage,
} from './providers/pricing';

export type { ChatStore, UserChatStore } from './store/chat-store';
export { createEmbeddedChatStore, type EmbeddedChatStoreOptions } from './store/embedded/embedded-chat-store';
export { createPostgresChatStore, type PostgresChatStoreOptions } from './store/postgres/postgres-chat-store';
export { createSupabaseChatStore, type SupabaseChatStoreOptions } from './store/supabase/supabase-chat-store';

export { getChatEnv, parseChatEnv, type ResolvedChatEnv } from './config/env';
export { prepareEmbeddedStore } from './store';
export { ChatError, isChatError, type ChatErrorCode } from './protocol/errors';
