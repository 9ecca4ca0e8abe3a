import 'server-only';
import { PROVIDER_NAMES, PROVIDERS } from '../../providers/registry';
import type { ChatError } from '../../protocol/errors';
import type { ConversationRecord, MessageRecord } from '../../protocol/records';
import type { ChatProvider, ProviderName } from '../../providers/types';
import type { ChatStore } from '../../store/chat-store';
import type { Authenticate } from '../../store/local-user';
import { resolveAttachmentLimits, type AttachmentLimits } from '../files/attachment-check';
import type { Moderation } from '../turn/moderation';
import { resolveRequestGuard, type RequestGuardOptions, type ResolvedRequestGuard } from './request-guard';
import type { ChatTool } from '../turn/tools';
import type { Pricing } from '../../providers/pricing';
import { createTurnPricing, type TurnPricing } from '../ledger/turn-pricing';
import { resolveToolApprovalOptions, type ResolvedToolApprovalOptions, type ToolApprovalOptions } from '../approvals/approval-clock';
import { McpHub } from '../mcp/mcp-hub';
import type { McpCredentials, McpServerConfig } from '../mcp/mcp-config';

export interface ModelPolicy {
  /** The model used when neither the request nor the conversation names one. */
  defaultModel: string;
  /** The models a request may name; any other gets 400. Unset: the default model only. */
  allowedModels?: readonly string[];
}

/** USD per million tokens for a model the pricing table does not know (decimal strings). */
export interface UnpricedModelPrice {
  input: string;
  output: string;
}

export interface UsageLimits {
  maxTokensPerDay?: number | null;
  /** Dollars. */
  maxCostPerMonth?: number | string | null;
  maxRequestsPerMinute?: number | null;
}

export interface ProviderTarget {
  provider: ProviderName;
  model: string;
}

export interface UsageReport {
  userId: string;
  conversationId: string;
  provider: ProviderName;
  model: string;
  promptTokens: number;
  completionTokens: number;
  cachedPromptTokens: number;
  /** Dollars as a decimal string; null when the model has no known price. */
  cost: string | null;
  /** This user's totals after this turn, for alerts. */
  tokensToday: number;
  costThisMonth: string;
  limits: UsageLimits;
}

export interface UsageAlert {
  userId: string;
  /** Which budget: tokens of the UTC day or dollars of the UTC month. */
  limit: 'tokens_per_day' | 'cost_per_month';
  /** The fraction crossed by this turn, e.g. 0.8. */
  threshold: number;
  /** Used and allowed, as numbers of tokens or decimal strings of dollars. */
  used: number | string;
  max: number | string;
}

export interface FinishReport {
  userId: string;
  conversation: ConversationRecord;
  userMessage: MessageRecord | null;
  assistantMessage: MessageRecord | null;
}

export interface ChatHandlerOptions {
  store: ChatStore;
  /**
   * Who sent the request, from your own sign-in (Supabase Auth claims, Auth.js, Clerk: see
   * docs/sign-in.md), verified on the server; null answers 401. When given, the handler opens
   * `store.forUser(id)` instead of `store.forRequest`. A non-UUID id maps to a stable UUID v5.
   */
  authenticate?: Authenticate;
  /** The configured providers; one without a key is simply absent. */
  providers: Partial<Record<ProviderName, ChatProvider>>;
  defaultProvider?: ProviderName;
  /** Per provider: the default model and, optionally, the only models allowed. */
  models?: Partial<Record<ProviderName, ModelPolicy>>;
  /** Used when the conversation has none and the client may not (or did not) send one. */
  systemPrompt?: string;
  /** Whether a request's `systemPrompt` is honoured. Default true, as in the original module. */
  allowClientSystemPrompt?: boolean;
  tools?: readonly ChatTool[];
  /** How a tool call that needs approval waits for it (see docs/tools.md). Default: 300 s, read every 500 ms. */
  toolApprovals?: ToolApprovalOptions;
  /** MCP servers whose tools join `tools` as `<server>__<tool>` (see docs/tools.md). Default: none. */
  mcpServers?: readonly McpServerConfig[];
  /**
   * A server's credentials for this user (headers added to its requests): the one place per-user
   * credentials (OAuth) plug in. Default: the server's `headers`, `$NAME` values read from the environment.
   */
  mcpCredentials?: McpCredentials;
  /** How many provider calls one turn may make while the model keeps calling tools. Default 5. */
  maxToolSteps?: number;
  /** Reply length when the request sets none; also what a turn reserves against limits. Default 4096. */
  defaultMaxTokens?: number;
  limits?: UsageLimits | ((userId: string) => UsageLimits | Promise<UsageLimits>);
  /**
   * The price of a model the pricing table does not know. Unset, such a model is refused (400)
   * while a user has a cost limit, since nothing it does could be counted against it.
   */
  unpricedModelPrice?: UnpricedModelPrice;
  /** The price table every turn of this handler uses (`createPricing`). Default: the module's own. */
  pricingTable?: Pricing;
  /** Tried in order when the chosen provider fails before its first token. */
  backups?: readonly ProviderTarget[];
  /** Checks each new message before any provider spend; a flagged one gets 400 `content_flagged`. */
  moderation?: Moderation;
  /**
   * Reuse the reply to a deterministic request (temperature 0, no tools, same model and context)
   * instead of paying for it again. Off by default.
   */
  responseCache?: { ttlSeconds?: number } | false;
  /**
   * Keep a rolling summary of what falls out of the context window, written after the turn with
   * a cheap model and reused by later turns. Off by default: it is one more billed call.
   */
  summary?: { provider?: ProviderName; model?: string } | false;
  /** Fractions of a limit at which `onUsageAlert` fires, once per crossing. Default [0.8, 1]. */
  usageAlertThresholds?: readonly number[];
  /** Work to finish after the response has ended (the rolling summary): e.g. Next's `after`. */
  waitUntil?: (work: Promise<unknown>) => void;
  /** Comment frames keep idle connections open through proxies. Default 15 000 ms. */
  pingIntervalMs?: number;
  /** A reply nobody stops still ends after this long, saved as partial. Default 600 (env AI_CHAT_MAX_REPLY_SECONDS). */
  maxReplySeconds?: number;
  /**
   * Replies outlive their request either way. `true` (default): runs and checkpoints go to the
   * store, so a reply survives its instance and any instance can attach to it or stop it. `false`:
   * runs are kept in this process only (one instance, nothing written for them).
   */
  durableReplies?: boolean;
  /** How often a generating reply is checkpointed to the database (sooner on 16 KB of events). Default 1000 ms. */
  checkpointIntervalMs?: number;
  /** A generating reply without a checkpoint for this long is marked interrupted (its server died). Default 10 s. */
  staleReplySeconds?: number;
  /** Where the routes are mounted. Default '/api/chat'. */
  basePath?: string;
  onFinish?: (report: FinishReport) => void | Promise<void>;
  onUsage?: (report: UsageReport) => void | Promise<void>;
  onError?: (error: ChatError, context: { userId?: string; conversationId?: string }) => void | Promise<void>;
  /** A user crossed a usage threshold of one of their limits (cost alerts). */
  onUsageAlert?: (alert: UsageAlert) => void | Promise<void>;
  /** Who may call the routes: hosts and origins (see request-guard). Default: loopback, same origin. */
  requestGuard?: RequestGuardOptions;
  /** What an uploaded file may be (files/attachment-check). Default: 5 MB images, 32 MB / 100-page PDFs, 10 files a message. */
  attachments?: Partial<AttachmentLimits>;
}

/** The model per provider when the app names none: current, capable and affordable. */
export const DEFAULT_MODEL_BY_PROVIDER: Record<ProviderName, string> = Object.fromEntries(
  PROVIDER_NAMES.map((name) => [name, PROVIDERS[name].defaultModel]),
) as Record<ProviderName, string>;

export const PROVIDER_KEY_VARIABLES: Record<ProviderName, string> = Object.fromEntries(
  PROVIDER_NAMES.map((name) => [name, PROVIDERS[name].keyVariable]),
) as Record<ProviderName, string>;

export interface ResolvedHandlerOptions extends ChatHandlerOptions {
  /** The one price lookup of this handler's turns: its table plus the fallback price. */
  pricing: TurnPricing;
  defaultProvider: ProviderName;
  allowClientSystemPrompt: boolean;
  tools: readonly ChatTool[];
  toolApprovals: ResolvedToolApprovalOptions;
  /** The MCP servers' tools, null when none are configured. */
  mcp: McpHub | null;
  maxToolSteps: number;
  defaultMaxTokens: number;
  backups: readonly ProviderTarget[];
  pingIntervalMs: number;
  maxReplySeconds: number;
  checkpointIntervalMs: number;
  staleReplySeconds: number;
  basePath: string;
  usageAlertThresholds: readonly number[];
  requestGuard: ResolvedRequestGuard;
  attachments: AttachmentLimits;
}

/** Every default in one place. */
export function resolveHandlerOptions(options: ChatHandlerOptions): ResolvedHandlerOptions {
  return {
    ...options,
    defaultProvider: options.defaultProvider ?? 'openai',
    allowClientSystemPrompt: options.allowClientSystemPrompt ?? true,
    tools: options.tools ?? [],
    toolApprovals: resolveToolApprovalOptions(options.toolApprovals),
    mcp: options.mcpServers && options.mcpServers.length > 0 ? new McpHub(options.mcpServers, { credentials: options.mcpCredentials }) : null,
    maxToolSteps: options.maxToolSteps ?? 5,
    defaultMaxTokens: options.defaultMaxTokens ?? 4096,
    backups: options.backups ?? [],
    pingIntervalMs: options.pingIntervalMs ?? 15_000,
    maxReplySeconds: options.maxReplySeconds ?? 600,
    checkpointIntervalMs: options.checkpointIntervalMs ?? 1_000,
    staleReplySeconds: options.staleReplySeconds ?? 10,
    usageAlertThresholds: options.usageAlertThresholds ?? [0.8, 1],
    basePath: (options.basePath ?? '/api/chat').replace(/\/$/, ''),
    requestGuard: resolveRequestGuard(options.requestGuard),
    attachments: resolveAttachmentLimits(options.attachments),
    pricing: createTurnPricing(options.pricingTable, options.unpricedModelPrice),
  };
}

export function modelPolicy(options: ChatHandlerOptions, provider: ProviderName): ModelPolicy & { allowedModels: readonly string[] } {
  const policy = options.models?.[provider] ?? { defaultModel: DEFAULT_MODEL_BY_PROVIDER[provider] };
  return { ...policy, allowedModels: policy.allowedModels ?? [policy.defaultModel] };
}

export async function limitsFor(options: ChatHandlerOptions, userId: string): Promise<UsageLimits> {
  const limits = options.limits;
  return (typeof limits === 'function' ? await limits(userId) : limits) ?? {};
}
