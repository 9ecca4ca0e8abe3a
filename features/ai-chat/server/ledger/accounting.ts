import 'server-only';
import type { MessageRecord } from '../../protocol/records';
import { partsOf } from '../../protocol/parts';
import type { ProviderFile, ProviderMessage, ProviderName, ProviderRequest, ProviderUsage } from '../../providers/types';
import { truncateMessagesDetailed } from '../turn/context';
import { PROVIDERS } from '../../providers/registry';
import type { ModelInfo } from '../../providers/pricing';
import { countTokens } from '../../providers/tokens';

/**
 * What the handler needs of pricing, token counting and context fitting, in one place: the turn
 * reads as a story and the arithmetic lives here.
 */

const FALLBACK_CONTEXT_WINDOW = 128_000;
/** Recent messages kept even when older ones must go, so the model always sees the thread. */
const KEEP_RECENT_MESSAGES = 4;

export function tokensOf(text: string, provider: ProviderName, model: string): number {
  return countTokens(text, { provider, model });
}

/** System prompts seen lately and their counts: the same prompt comes with every turn. */
const systemCounts = new Map<string, number>();
const SYSTEM_COUNTS_KEPT = 64;

/**
 * tokensOf for a system prompt, remembered: an app sends the same one (often thousands of tokens)
 * with every turn, and counting it again would sit before every first token.
 */
function systemTokensOf(text: string, provider: ProviderName, model: string): number {
  const key = `${provider}\0${model}\0${text}`;
  const known = systemCounts.get(key);
  if (known !== undefined) return known;
  const tokens = tokensOf(text, provider, model);
  if (systemCounts.size >= SYSTEM_COUNTS_KEPT) systemCounts.delete(systemCounts.keys().next().value!);
  systemCounts.set(key, tokens);
  return tokens;
}

/**
 * The most a reply may write, thinking included: the answer's length (the request's, else the
 * default) plus the room the model thinks in at this effort, never past the model's cap. The
 * provider call gets it as its hard ceiling (maxTokens), so reserving it reserves the whole call.
 */
export function replyBudget(
  info: ModelInfo | null,
  requested: number | undefined,
  fallback: number,
  reasoning?: ProviderRequest['reasoning'],
): number {
  const wanted = (requested ?? fallback) + (info ? PROVIDERS[info.provider].reasoningRoom(info, reasoning) : 0);
  return info ? Math.min(wanted, info.maxOutputTokens) : wanted;
}

export interface FittedHistory {
  /** The system prompt with the rolling summary folded in. */
  system: string | undefined;
  messages: ProviderMessage[];
  /** The stored message each of `messages` came from (null for the new one), for reading its files again. */
  sources: (MessageRecord | null)[];
  promptTokens: number;
  /** Messages of the branch that did not fit and are not yet in the summary, oldest first. */
  dropped: MessageRecord[];
  /** The rolling summary folded into the system prompt, if one speaks for this branch. */
  summary: { summary: string; throughMessageId: string } | null;
}

interface Turn {
  role: 'user' | 'assistant';
  content: string;
  tokens: number;
  record?: MessageRecord;
}

/**
 * The branch as provider messages, oldest dropped first until it fits the model's window less
 * the reply budget. Messages the stored summary already covers are replaced by it. Stored
 * per-message counts are used, so history is never re-tokenised.
 */
export function fitHistory(
  history: readonly MessageRecord[],
  next: { content: string; tokens: number; files?: ProviderFile[] } | null,
  options: {
    provider: ProviderName;
    model: string;
    /** The model's context window (from the handler's pricing); unknown: a conservative fallback. */
    contextWindow: number | undefined;
    system?: string;
    replyTokens: number;
    summary?: string | null;
    summaryThroughMessageId?: string | null;
  },
): FittedHistory {
  const window = options.contextWindow ?? FALLBACK_CONTEXT_WINDOW;
  // A summary speaks for this branch only if the message it runs through is on it.
  const covered = options.summary && options.summaryThroughMessageId ? history.findIndex((m) => m.id === options.summaryThroughMessageId) : -1;
  const summary = covered >= 0 ? options.summary : null;
  const turns: Turn[] = history
    .slice(covered + 1)
    // A failed reply with nothing in it says nothing to the model; a message of files only does.
    .map((message) => ({ message, content: spokenText(message) }))
    .filter(({ message, content }) => (message.role === 'user' || message.role === 'assistant') && (content.length > 0 || hasFiles(message)))
    .map(({ message, content }) => ({
      role: message.role as 'user' | 'assistant',
      content,
      tokens: content === message.content && message.tokens !== null ? message.tokens : tokensOf(content, options.provider, options.model),
      record: message,
    }));
  if (next) turns.push({ role: 'user', content: next.content, tokens: next.tokens });

  const systemText = [options.system, summary ? `Summary of the earlier conversation:\n${summary}` : null].filter(Boolean).join('\n\n');
  const systemTokens = systemText ? systemTokensOf(systemText, options.provider, options.model) : 0;
  const budget = Math.max(window - options.replyTokens - systemTokens, 1);

  const { messages: kept, dropped, totalTokens } = truncateMessagesDetailed(turns, {
    maxTokens: budget,
    keepSystemPrompt: false,
    keepRecentMessages: KEEP_RECENT_MESSAGES,
  });
  return {
    system: systemText || undefined,
    messages: kept.map((turn): ProviderMessage =>
      turn.role === 'user' && !turn.record && next?.files?.length ? { role: 'user', content: turn.content, files: next.files } : { role: turn.role, content: turn.content },
    ),
    sources: kept.map((turn) => turn.record ?? null),
    promptTokens: systemTokens + totalTokens,
    dropped: dropped.flatMap((turn) => (turn.record ? [turn.record] : [])),
    summary: summary ? { summary, throughMessageId: options.summaryThroughMessageId! } : null,
  };
}

/**
 * What a saved message says to the model later: its text, and for a refusal what it declined
 * with. A refusal left out would glue the refused question onto the next one (the Messages API
 * merges adjacent user turns), so the model would keep answering, and refusing, that.
 */
function spokenText(message: MessageRecord): string {
  const refusal = message.role === 'assistant' ? message.parts?.find((part) => part.type === 'refusal') : undefined;
  if (!refusal) return message.content;
  const said = refusal.text.trim() || 'I declined to answer that.';
  return message.content.trim() ? `${message.content}\n\n${said}` : said;
}

/** Adds two usages, the cache and reasoning parts included. */
export function addUsage(a: ProviderUsage, b: ProviderUsage): ProviderUsage {
  return {
    promptTokens: a.promptTokens + b.promptTokens,
    completionTokens: a.completionTokens + b.completionTokens,
    cachedPromptTokens: a.cachedPromptTokens + b.cachedPromptTokens,
    cacheWriteTokens: (a.cacheWriteTokens ?? 0) + (b.cacheWriteTokens ?? 0),
    cacheWrite1hTokens: (a.cacheWrite1hTokens ?? 0) + (b.cacheWrite1hTokens ?? 0),
    reasoningTokens: (a.reasoningTokens ?? 0) + (b.reasoningTokens ?? 0),
  };
}

function hasFiles(message: MessageRecord): boolean {
  return message.role === 'user' && partsOf(message).some((part) => part.type === 'file');
}

export const NO_USAGE: ProviderUsage = { promptTokens: 0, completionTokens: 0, cachedPromptTokens: 0 };
