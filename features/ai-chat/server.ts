import 'server-only';

// The server's front door: the handler, tools, stores and pricing. Route files and server code of
// an app import from here; every other file in the module is internal and may move. The seed's
// deep paths (api/chat-handler, api/openai, api/claude, utils/*) keep working.

export {
  createChatHandler,
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
// The environment's options, all but the store: pair them with the store you choose. (The handler
// the environment configures whole, store included, is the seed's `api/chat-handler`.)
export { handlerOptionsFromEnv } from './server/http/env-options';
export type { ToolContext, ToolApprovalPolicy, ToolCaller } from './server/turn/tools';
export type { ToolApprovalOptions, ApprovalClock } from './server/approvals/approval-clock';
export type { McpServerConfig, McpCredentials } from './server/mcp/mcp-config';
export { assertAllowedCaller, resolveRequestGuard, requestGuardOptionsFromEnv } from './server/http/request-guard';
export { errorResponse } from './server/http/http';

export { sendOpenAIMessage, type SendOpenAIMessageOptions } from './api/openai';
export { sendClaudeMessage, type SendClaudeMessageOptions } from './api/claude';
export { streamClaudeResponse, streamOpenAIResponse } from './api/bare-stream';
export { fitToContextWindow, truncateMessages } from './server/turn/context';
// checkUsageLimit/getUsageLimitStatus stay at the seed's utils/limits: without a store they read the
// environment's (all three drivers); the handler's usage route is the store-scoped way.
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
// Each factory loads its store's driver only when called (store/store-factories).
export type { ActingChatStore } from './store/store-factories';
export { createEmbeddedChatStore } from './store/embedded/lazy-embedded-store';
export { createPostgresChatStore } from './store/postgres/lazy-postgres-store';
export { createSupabaseChatStore } from './store/supabase/lazy-supabase-store';
export type { EmbeddedChatStoreOptions } from './store/embedded/embedded-chat-store';
export type { PostgresChatStoreOptions } from './store/postgres/postgres-chat-store';
export type { SupabaseChatStoreOptions } from './store/supabase/supabase-chat-store';

export { getChatEnv, parseChatEnv, type ResolvedChatEnv } from './config/env';
export { ChatError, isChatError, type ChatErrorCode } from './protocol/errors';
