import 'server-only';
import { isProviderName } from '../../providers/registry';
import { MAX_BODY_BYTES, chatRequestSchema, type ChatRequestBody } from '../../protocol/chat-request';
import { ChatError } from '../../protocol/errors';
import type { MessagePart } from '../../protocol/parts';
import type { ConversationRecord, MessageRecord } from '../../protocol/records';
import type { ProviderRequest } from '../../providers/types';
import type { NewConversation, UserChatStore } from '../../store/chat-store';
import { titleFromMessage } from './conversation-title';
import { fitHistory, replyBudget, tokensOf, type FittedHistory } from '../ledger/accounting';
import { limitsFor, modelPolicy, PROVIDER_KEY_VARIABLES, type ProviderTarget, type ResolvedHandlerOptions, type UsageLimits } from '../http/handler-options';
import { readJsonBody } from '../http/http';
import { modelReads, resolveAttachments, withHistoryFiles } from '../files/turn-files';
import { TurnLedger } from '../ledger/turn-ledger';

/** Everything a turn needs, decided and checked before the first byte of the reply. */
export interface TurnPlan {
  user: UserChatStore;
  conversationId: string;
  /** The conversation as it was before this turn; null when the turn starts one. */
  existing: ConversationRecord | null;
  /** The conversation to create (its id chosen now) while the provider starts; null if it exists. */
  newConversation: (NewConversation & { id: string }) | null;
  /** The new user message (its id chosen now, saved while the provider starts); null on regenerate. */
  userMessage: {
    id: string;
    content: string;
    /** Its text and file parts, as saved. */
    parts: MessagePart[];
    /** Its files, bound to it once it is saved. */
    attachmentIds: string[];
    /** Its text plus its files' estimate: what it takes in this prompt and later ones. */
    tokens: number;
    parentId: string | null;
  } | null;
  /** The assistant reply's id and parent. */
  assistantMessageId: string;
  assistantParentId: string;
  targets: ProviderTarget[];
  fitted: FittedHistory;
  /**
   * The ceiling of each call's output, thinking included: the answer the request asked for plus its
   * thinking room, capped to what the limits leave when that is less. Passed as maxTokens.
   */
  replyTokens: number;
  temperature?: number;
  /** The request's reasoning effort; absent: the model's default. */
  reasoning?: ProviderRequest['reasoning'];
  /** The turn's money: reserved here, metered by every call, settled once at the end. */
  ledger: TurnLedger;
  limits: UsageLimits;
}

/**
 * Validates a POST /api/chat and decides the turn. Every refusal (bad body, unknown model, a
 * conversation or parent that is not the user's, a spent limit) happens here, before any row is
 * written; the only writes are the usage reservation and a new conversation, both last.
 */
export async function planTurn(request: Request, user: UserChatStore, options: ResolvedHandlerOptions): Promise<TurnPlan> {
  return planTurnFor(await readJsonBody(request, chatRequestSchema, MAX_BODY_BYTES), request.signal, user, options);
}

/**
 * planTurn for a body already read and validated. `newConversationId`: the id a conversation this
 * turn starts gets (an AI SDK chat's, derived from its client id); default: a random one.
 */
export async function planTurnFor(
  body: ChatRequestBody,
  signal: AbortSignal,
  user: UserChatStore,
  options: ResolvedHandlerOptions,
  choices: { newConversationId?: string } = {},
): Promise<TurnPlan> {
  const { existing, history, parentId, regenerate } = await loadHistory(body, user);
  const limits = await limitsFor(options, user.userId);
  const target = chooseTarget(body, existing, options, limits);
  const content = body.message ?? '';
  const model = options.pricing.model(target.provider, target.model);
  const attached = await resolveAttachments(body.attachments ?? [], {
    user,
    target,
    model,
    conversationId: existing?.id ?? null,
    limits: options.attachments,
  });

  const system = chooseSystemPrompt(body, existing, options);
  // The answer plus the room its thinking takes: the call's whole ceiling, all of it reserved.
  const wantedReplyTokens = replyBudget(model, body.maxTokens, options.defaultMaxTokens, body.reasoningEffort);
  const userMessage = regenerate
    ? null
    : {
        id: crypto.randomUUID(),
        content,
        parts: [...(content ? [{ type: 'text' as const, text: content }] : []), ...attached.parts],
        attachmentIds: attached.ids,
        tokens: tokensOf(content, target.provider, target.model) + attached.tokens,
        parentId,
      };
  const summary = await branchSummary(user, existing, history, options);
  const fitted = fitHistory(history, userMessage && { ...userMessage, files: attached.files }, {
    provider: target.provider,
    model: target.model,
    contextWindow: model?.contextWindow,
    system,
    replyTokens: wantedReplyTokens,
    summary: summary?.summary,
    summaryThroughMessageId: summary?.throughMessageId,
  });
  fitted.messages = await withHistoryFiles(fitted.messages, fitted.sources, user, model);
  if (userMessage?.content && options.moderation) await moderate(options, user.userId, userMessage.content, signal);

  // Hold the most this turn's first call can cost (the prompt plus a full reply), settled to the
  // real figures afterwards, so concurrent requests cannot overshoot a limit by more than that.
  const { ledger, replyTokens } = await TurnLedger.open(
    { user, limits, pricing: options.pricing },
    { target, promptTokens: fitted.promptTokens, replyTokens: wantedReplyTokens, conversationId: existing?.id ?? null },
  );

  const newConversation = existing
    ? null
    : {
        id: choices.newConversationId ?? crypto.randomUUID(),
        title: titleFromMessage(content || attached.parts[0]?.name || 'Files'),
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
    targets: [
      target,
      ...options.backups.filter(
        (backup) =>
          options.providers[backup.provider] &&
          !sameTarget(backup, target) &&
          priceable(options, limits, backup) &&
          // A backup must read the files the question carries, or it would answer without them.
          attached.parts.every((file) => modelReads(options.pricing.model(backup.provider, backup.model), file.mediaType)),
      ),
    ],
    fitted,
    replyTokens,
    temperature: body.temperature,
    ...(body.reasoningEffort ? { reasoning: body.reasoningEffort } : {}),
    ledger,
    limits,
  };
}

/** The summary saved for this branch, else the conversation's own (from before per-branch summaries). */
async function branchSummary(
  user: UserChatStore,
  existing: ConversationRecord | null,
  history: readonly MessageRecord[],
  options: ResolvedHandlerOptions,
): Promise<{ summary: string; throughMessageId: string } | null> {
  if (!existing || history.length === 0) return null;
  const saved = options.summary ? await user.getBranchSummary(existing.id, history.map((message) => message.id)) : null;
  if (saved) return saved;
  return existing.summary && existing.summaryThroughMessageId ? { summary: existing.summary, throughMessageId: existing.summaryThroughMessageId } : null;
}

async function moderate(options: ResolvedHandlerOptions, userId: string, text: string, signal: AbortSignal): Promise<void> {
  const verdict = await options.moderation!({ text, userId, signal });
  if (verdict.flagged) {
    const why = verdict.categories.length > 0 ? ` (${verdict.categories.join(', ')})` : '';
    throw new ChatError('content_flagged', `This message can't be sent: it was flagged by moderation${why}.`, { field: 'message' });
  }
}

function chooseTarget(
  body: ChatRequestBody,
  conversation: ConversationRecord | null,
  options: ResolvedHandlerOptions,
  limits: UsageLimits,
): ProviderTarget {
  const fromConversation = conversation && isProviderName(conversation.provider) ? conversation.provider : undefined;
  const provider = body.provider ?? fromConversation ?? options.defaultProvider;
  if (!options.providers[provider]) {
    throw new ChatError('not_configured', `The ${provider} provider is not configured on this server: set ${PROVIDER_KEY_VARIABLES[provider]}.`, {
      field: body.provider ? 'provider' : undefined,
    });
  }
  const policy = modelPolicy(options, provider);
  // A conversation held on a model the server no longer offers carries on with the default.
  const fromHistory = conversation && conversation.provider === provider ? conversation.model : undefined;
  const model = body.model ?? (fromHistory && policy.allowedModels.includes(fromHistory) ? fromHistory : policy.defaultModel);
  if (!policy.allowedModels.includes(model)) {
    throw new ChatError('bad_request', `model: "${model}" is not available for ${provider}.`, { field: 'model' });
  }
  if (!priceable(options, limits, { provider, model })) {
    throw new ChatError(
      'bad_request',
      `model: "${model}" has no known price, and your usage has a spending limit, so it can't be used. ` +
        'The operator can add its price (registerModels) or set a fallback price (AI_CHAT_UNPRICED_MODEL_PRICE).',
      { field: 'model' },
    );
  }
  return { provider, model };
}

/** Under a cost limit only a model with a price can run: its cost must be countable. */
function priceable(options: ResolvedHandlerOptions, limits: UsageLimits, target: ProviderTarget): boolean {
  return limits.maxCostPerMonth == null || options.pricing.isPriced(target.provider, target.model);
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
  // No text and no files: answer the named user message again.
  const regenerate = body.message === undefined && (body.attachments?.length ?? 0) === 0;
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

function sameTarget(a: ProviderTarget, b: ProviderTarget): boolean {
  return a.provider === b.provider && a.model === b.model;
}

