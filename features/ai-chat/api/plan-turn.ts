import 'server-only';
import { MAX_BODY_BYTES, chatRequestSchema, type ChatRequestBody } from '../protocol/chat-request';
import { ChatError } from '../protocol/errors';
import type { ConversationRecord, MessageRecord } from '../protocol/records';
import type { ProviderName } from '../providers/types';
import type { NewConversation, UserChatStore } from '../store/chat-store';
import { titleFromMessage } from '../utils/conversation-title';
import { costOf, fitHistory, replyBudget, tokensOf, type FittedHistory } from './accounting';
import { limitsFor, modelPolicy, PROVIDER_KEY_VARIABLES, type ProviderTarget, type ResolvedHandlerOptions, type UsageLimits } from './handler-options';
import { readJsonBody } from './http';

/** Everything a turn needs, decided and checked before the first byte of the reply. */
export interface TurnPlan {
  user: UserChatStore;
  conversationId: string;
  /** The conversation as it was before this turn; null when the turn starts one. */
  existing: ConversationRecord | null;
  /** The conversation to create (its id chosen now) while the provider starts; null if it exists. */
  newConversation: (NewConversation & { id: string }) | null;
  /** The new user message (its id chosen now, saved while the provider starts); null on regenerate. */
  userMessage: { id: string; content: string; tokens: number; parentId: string | null } | null;
  /** The assistant reply's id and parent. */
  assistantMessageId: string;
  assistantParentId: string;
  targets: ProviderTarget[];
  fitted: FittedHistory;
  replyTokens: number;
  temperature?: number;
  reservationId: string;
  limits: UsageLimits;
}

/**
 * Validates a POST /api/chat and decides the turn. Every refusal (bad body, unknown model, a
 * conversation or parent that is not the user's, a spent limit) happens here, before any row is
 * written; the only writes are the usage reservation and a new conversation, both last.
 */
export async function planTurn(request: Request, user: UserChatStore, options: ResolvedHandlerOptions): Promise<TurnPlan> {
  const body = await readJsonBody(request, chatRequestSchema, MAX_BODY_BYTES);
  const { existing, history, parentId, regenerate } = await loadHistory(body, user);
  const target = chooseTarget(body, existing, options);
  const content = body.message;
  if (!regenerate && content === undefined) {
    throw new ChatError('bad_request', 'message: required', { field: 'message' });
  }

  const system = chooseSystemPrompt(body, existing, options);
  const replyTokens = replyBudget(target.provider, target.model, body.maxTokens, options.defaultMaxTokens);
  const userMessage = regenerate
    ? null
    : { id: crypto.randomUUID(), content: content!, tokens: tokensOf(content!, target.provider, target.model), parentId };
  const fitted = fitHistory(history, userMessage, {
    provider: target.provider,
    model: target.model,
    system,
    replyTokens,
    summary: existing?.summary,
    summaryThroughMessageId: existing?.summaryThroughMessageId,
  });
  if (userMessage && options.moderation) await moderate(options, user.userId, userMessage.content, request.signal);

  const limits = await limitsFor(options, user.userId);
  // Hold the most this turn can cost: the prompt plus a full-length reply. Settled to the real
  // figures afterwards, so concurrent requests cannot overshoot a limit by more than that.
  const estimate = { promptTokens: fitted.promptTokens, completionTokens: replyTokens, cachedPromptTokens: 0 };
  const reservation = await user.reserveUsage({
    provider: target.provider,
    model: target.model,
    conversationId: existing?.id ?? null,
    estimatedTokens: estimate.promptTokens + estimate.completionTokens,
    estimatedCost: costOf(target.provider, target.model, estimate) ?? '0',
    maxTokensPerDay: limits.maxTokensPerDay ?? null,
    maxCostPerMonth: limits.maxCostPerMonth ?? null,
    maxRequestsPerMinute: limits.maxRequestsPerMinute ?? null,
  });
  if (!reservation.allowed) {
    throw new ChatError('usage_limit', LIMIT_MESSAGES[reservation.reason], { retryAfterSeconds: reservation.retryAfterSeconds });
  }

  const newConversation = existing
    ? null
    : {
        id: crypto.randomUUID(),
        title: titleFromMessage(content!),
        systemPrompt: options.allowClientSystemPrompt ? (body.systemPrompt ?? null) : null,
        provider: target.provider,
        model: target.model,
      };
  return {
    user,
    conversationId: existing?.id ?? newConversation!.id,
    existing,
    newConversation,
    userMessage,
    assistantMessageId: crypto.randomUUID(),
    assistantParentId: userMessage?.id ?? parentId!,
    targets: [target, ...options.backups.filter((backup) => options.providers[backup.provider] && !sameTarget(backup, target))],
    fitted,
    replyTokens,
    temperature: body.temperature,
    reservationId: reservation.reservationId,
    limits,
  };
}

async function moderate(options: ResolvedHandlerOptions, userId: string, text: string, signal: AbortSignal): Promise<void> {
  const verdict = await options.moderation!({ text, userId, signal });
  if (verdict.flagged) {
    const why = verdict.categories.length > 0 ? ` (${verdict.categories.join(', ')})` : '';
    throw new ChatError('content_flagged', `This message can't be sent: it was flagged by moderation${why}.`, { field: 'message' });
  }
}

const LIMIT_MESSAGES = {
  tokens_per_day: "You've reached today's token limit.",
  cost_per_month: "You've reached this month's spending limit.",
  requests_per_minute: 'Too many messages in a minute. Wait a moment and try again.',
} as const;

function chooseTarget(body: ChatRequestBody, conversation: ConversationRecord | null, options: ResolvedHandlerOptions): ProviderTarget {
  const fromConversation = conversation && isProviderName(conversation.provider) ? conversation.provider : undefined;
  const provider = body.provider ?? fromConversation ?? options.defaultProvider;
  if (!options.providers[provider]) {
    throw new ChatError('not_configured', `The ${provider} provider is not configured on this server: set ${PROVIDER_KEY_VARIABLES[provider]}.`, {
      field: body.provider ? 'provider' : undefined,
    });
  }
  const policy = modelPolicy(options, provider);
  const model =
    body.model ?? (conversation && conversation.provider === provider ? conversation.model : undefined) ?? policy.defaultModel;
  if (policy.allowedModels && !policy.allowedModels.includes(model)) {
    throw new ChatError('bad_request', `model: "${model}" is not available for ${provider}.`, { field: 'model' });
  }
  return { provider, model };
}

interface LoadedHistory {
  existing: ConversationRecord | null;
  history: MessageRecord[];
  /** Where the new message (or, on regenerate, the reply) hangs. */
  parentId: string | null;
  regenerate: boolean;
}

/** The conversation and the branch this turn continues, read in one round trip. */
async function loadHistory(body: ChatRequestBody, user: UserChatStore): Promise<LoadedHistory> {
  const regenerate = body.message === undefined;
  if (regenerate && !body.parentMessageId) throw new ChatError('bad_request', 'message: required', { field: 'message' });
  if (!body.conversationId) {
    if (body.parentMessageId !== undefined) {
      throw new ChatError('bad_request', 'conversationId: required with parentMessageId', { field: 'conversationId' });
    }
    return { existing: null, history: [], parentId: null, regenerate };
  }
  // An edit of the first message (parent null) starts a new root: it needs no history.
  const leaf = body.parentMessageId ?? undefined;
  const loaded = await user.getConversationWithBranch(body.conversationId, leaf);
  if (!loaded) throw new ChatError('not_found', 'Conversation not found.', { field: 'conversationId' });
  const { conversation, branch } = loaded;
  if (body.parentMessageId === null) return { existing: conversation, history: [], parentId: null, regenerate };
  if (body.parentMessageId === undefined) {
    return { existing: conversation, history: branch, parentId: branch.at(-1)?.id ?? null, regenerate };
  }
  if (branch.length === 0) throw new ChatError('not_found', 'Message not found.', { field: 'parentMessageId' });
  // Regenerating answers an existing user message again: it must be one.
  if (regenerate && branch.at(-1)!.role !== 'user') {
    throw new ChatError('bad_request', 'parentMessageId: regenerate needs a user message', { field: 'parentMessageId' });
  }
  return { existing: conversation, history: branch, parentId: body.parentMessageId, regenerate };
}

function chooseSystemPrompt(body: ChatRequestBody, conversation: ConversationRecord | null, options: ResolvedHandlerOptions): string | undefined {
  if (options.allowClientSystemPrompt && body.systemPrompt) return body.systemPrompt;
  return conversation?.systemPrompt ?? options.systemPrompt;
}

function isProviderName(value: string): value is ProviderName {
  return value === 'openai' || value === 'anthropic';
}

function sameTarget(a: ProviderTarget, b: ProviderTarget): boolean {
  return a.provider === b.provider && a.model === b.model;
}

