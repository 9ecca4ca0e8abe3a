import 'server-only';
import { ChatError } from '../../protocol/errors';
import type { ModelProvider } from '../../providers/models';
import { getDefaultPricing, type Pricing } from '../../providers/pricing';
import { MESSAGE_OVERHEAD_TOKENS, REPLY_PRIMING_TOKENS, messageContentTokens, type CountableMessage } from '../../providers/tokens';

/**
 * Fitting a conversation into a token budget. Work is one pass over the history: stored per-message
 * counts are trusted and never re-tokenised, and messages without one are counted only when the
 * pass reaches them, so a long history costs tokenisation only for what is kept.
 */

export interface TruncateOptions {
  /** The budget for the whole prompt, reply priming included. */
  maxTokens: number;
  /** Keep every system message whatever its age (default true). */
  keepSystemPrompt?: boolean;
  /** The newest messages kept ahead of older ones, as far as they fit (default 4). */
  keepRecentMessages?: number;
  /** Which tokenizer counts messages that have no stored count (default OpenAI o200k_base). */
  provider?: ModelProvider;
  model?: string;
}

export interface TruncateResult<M extends CountableMessage> {
  /** The kept messages, in their original order. */
  messages: M[];
  /** The messages left out, oldest first: what a summariser should fold into the summary. */
  dropped: M[];
  /** Tokens of the kept messages plus per-message overhead and reply priming. */
  totalTokens: number;
  /** False when even the pinned messages (system prompt, last user message) exceed the budget. */
  fits: boolean;
}

const DEFAULT_KEEP_RECENT = 4;

/** The newest messages that fit `maxTokens`, with the system prompt and the last user message pinned. */
export function truncateMessages<M extends CountableMessage>(messages: readonly M[], options: TruncateOptions): M[] {
  return truncateMessagesDetailed(messages, options).messages;
}

/**
 * Like truncateMessages, also returning what was dropped and the kept prompt's token count.
 *
 * Order of preference: system messages (if `keepSystemPrompt`), then the last `keepRecentMessages`
 * (dropping the oldest of them if they do not all fit, but never the last user message), then
 * older messages newest first. Older messages are kept as one unbroken run: the first that does
 * not fit ends the run, so the model never sees a history with a hole in the middle and
 * `dropped` is always the oldest part of the conversation.
 */
export function truncateMessagesDetailed<M extends CountableMessage>(messages: readonly M[], options: TruncateOptions): TruncateResult<M> {
  const keepSystem = options.keepSystemPrompt ?? true;
  const keepRecent = Math.max(0, Math.floor(options.keepRecentMessages ?? DEFAULT_KEEP_RECENT));
  const countOptions = { provider: options.provider ?? 'openai', model: options.model ?? 'gpt-4o' } as const;
  const n = messages.length;

  const costs = new Array<number>(n);
  const costOf = (index: number): number => {
    let cost = costs[index];
    if (cost === undefined) {
      cost = messageContentTokens(messages[index]!, countOptions) + MESSAGE_OVERHEAD_TOKENS;
      costs[index] = cost;
    }
    return cost;
  };

  const kept = new Uint8Array(n);
  let used = REPLY_PRIMING_TOKENS;
  const keep = (index: number): void => {
    kept[index] = 1;
    used += costOf(index);
  };
  const isPinnedSystem = (index: number): boolean => keepSystem && messages[index]!.role === 'system';

  // 1. The system prompt, whatever it costs: without it the assistant is a different product.
  for (let i = 0; i < n; i++) if (isPinnedSystem(i)) keep(i);

  // 2. The recent window: the last `keepRecent` messages that are not pinned system messages.
  let lastUser = -1;
  for (let i = n - 1; i >= 0; i--) {
    if (messages[i]!.role === 'user') {
      lastUser = i;
      break;
    }
  }
  const recent: number[] = [];
  for (let i = n - 1; i >= 0 && recent.length < keepRecent; i--) if (!isPinnedSystem(i)) recent.push(i);
  recent.reverse();
  // The last user message is what is being answered: it is kept even if that breaks the budget.
  if (lastUser >= 0 && !isPinnedSystem(lastUser)) keep(lastUser);

  let windowCost = 0;
  for (const i of recent) if (i !== lastUser) windowCost += costOf(i);
  let oldestKeptRecent = 0;
  // Too big: drop the window's oldest messages until the rest fits.
  while (oldestKeptRecent < recent.length && used + windowCost > options.maxTokens) {
    const i = recent[oldestKeptRecent]!;
    if (i !== lastUser) windowCost -= costOf(i);
    oldestKeptRecent++;
  }
  for (let r = oldestKeptRecent; r < recent.length; r++) if (recent[r] !== lastUser) keep(recent[r]!);
  const windowComplete = oldestKeptRecent === 0;

  // 3. Older history, newest first, while it fits; the first miss ends the run.
  if (windowComplete) {
    const firstRecent = recent.length > 0 ? recent[0]! : n;
    for (let i = firstRecent - 1; i >= 0; i--) {
      if (kept[i] || isPinnedSystem(i)) continue;
      if (used + costOf(i) > options.maxTokens) break;
      keep(i);
    }
  }

  const keptMessages: M[] = [];
  const dropped: M[] = [];
  for (let i = 0; i < n; i++) (kept[i] ? keptMessages : dropped).push(messages[i]!);
  return { messages: keptMessages, dropped, totalTokens: used, fits: used <= options.maxTokens };
}

export interface FitToContextOptions {
  provider: ModelProvider;
  model: string;
  /** The reply budget the request will ask for; defaults to the model's output limit (see below). */
  maxOutputTokens?: number;
  keepSystemPrompt?: boolean;
  keepRecentMessages?: number;
  /** The pricing table to read the model's limits from (default: the module's table). */
  pricing?: Pricing;
  /** Overrides the model's context window, e.g. for a local model served with a smaller one. */
  contextWindow?: number;
}

export interface FitToContextResult<M extends CountableMessage> extends TruncateResult<M> {
  /** Tokens available to the prompt: context window minus the reserved reply. */
  budget: number;
  reservedOutputTokens: number;
  contextWindow: number;
}

/** Used for a model with no table row and no `contextWindow` option: small enough to be safe anywhere. */
export const FALLBACK_CONTEXT_WINDOW = 8_192;

/**
 * Fits a history into the model's context window after reserving room for the reply. The reply
 * reserve is `maxOutputTokens` when given; otherwise the model's output limit, capped at half the
 * window, because some models (gpt-4: 8,192 in and 8,192 out) share one limit between the two and
 * reserving all of it would leave no room for the question. Throws ChatError('context_length')
 * when even the system prompt and the last user message do not fit.
 */
export function fitToContextWindow<M extends CountableMessage>(messages: readonly M[], options: FitToContextOptions): FitToContextResult<M> {
  const info = (options.pricing ?? getDefaultPricing()).resolveModel(options.provider, options.model);
  const contextWindow = options.contextWindow ?? info?.contextWindow ?? FALLBACK_CONTEXT_WINDOW;
  const modelOutputLimit = info?.maxOutputTokens ?? Math.floor(contextWindow / 4);
  const reservedOutputTokens = options.maxOutputTokens ?? Math.min(modelOutputLimit, Math.floor(contextWindow / 2));
  const budget = contextWindow - reservedOutputTokens;
  if (!Number.isSafeInteger(reservedOutputTokens) || reservedOutputTokens <= 0 || budget <= 0) {
    throw new ChatError('bad_request', `maxTokens must leave room for the conversation in ${options.model}'s ${contextWindow}-token context window.`, { field: 'maxTokens' });
  }

  const result = truncateMessagesDetailed(messages, {
    maxTokens: budget,
    keepSystemPrompt: options.keepSystemPrompt,
    keepRecentMessages: options.keepRecentMessages,
    provider: options.provider,
    model: options.model,
  });
  if (!result.fits) {
    throw new ChatError('context_length', 'This message is too long for the model. Shorten it or start a new conversation.');
  }
  return { ...result, budget, reservedOutputTokens, contextWindow };
}
