import 'server-only';
import type { ConversationRecord } from '../../protocol/records';
import type { ProviderName } from '../../providers/types';
import { isChatError } from '../../protocol/errors';
import { tokensOf } from '../ledger/accounting';
import { TurnLedger } from '../ledger/turn-ledger';
import type { ResolvedHandlerOptions } from '../http/handler-options';
import { MESSAGE_TITLE_CHARS, titleFromMessage } from './conversation-title';
import type { TurnPlan } from './plan-turn';
import { SUMMARY_MODELS } from './summarize';

/** The small, cheap model per provider that writes titles (the summariser's). */
export const TITLE_MODELS: Record<ProviderName, string> = SUMMARY_MODELS;

/**
 * A title is a few words; this is its most, and what is reserved for it (billed: what it used).
 * Room past the words for a reasoning model's least effort (gpt-5-nano's `minimal`), so the
 * ceiling never cuts the title off.
 */
export const TITLE_REPLY_TOKENS = 64;
/** How much of the question and of the answer the title model reads, in characters each. */
const EXCERPT_CHARS = 1_500;
/** The instructions and the labels, over-counted. */
const TITLE_OVERHEAD_TOKENS = 80;

const INSTRUCTIONS = [
  'You name chat conversations.',
  'Reply with a title for the conversation below and nothing else: 2 to 6 words, in the language the user wrote in,',
  'plain text (no markdown, no quotes, no emoji), no trailing punctuation.',
].join(' ');

/** The first exchange of a conversation the title is written from. */
export interface TitleSource {
  question: string;
  answer: string;
}

/**
 * Replaces a new conversation's first-message title with one a small model writes from its first
 * exchange. Runs after the reply has been delivered (never delays it), as a call of its own
 * through a ledger under the user's limits: skipped when it does not fit, metered, settled
 * once. The title is written only while it is still the first-message one, so a rename made
 * meanwhile (or an import) is never overwritten. Never throws: a missing title only leaves the
 * first message's.
 */
export async function writeModelTitle(
  plan: TurnPlan,
  conversation: ConversationRecord,
  exchange: TitleSource,
  options: ResolvedHandlerOptions,
): Promise<{ title: string | null }> {
  if (!options.titles || !plan.newConversation || !exchange.answer.trim()) return { title: null };
  const providerName = options.titles.provider ?? plan.targets[0]!.provider;
  const provider = options.providers[providerName];
  if (!provider) return { title: null };
  const model = options.titles.model ?? TITLE_MODELS[providerName];
  const target = { provider: providerName, model };
  // Under a cost limit only a priced model may run: its cost must count against the limit.
  if (plan.limits.maxCostPerMonth != null && !options.pricing.isPriced(providerName, model)) return { title: null };

  const transcript = `User: ${excerpt(exchange.question)}\n\nAssistant: ${excerpt(exchange.answer)}`;
  const promptTokens = TITLE_OVERHEAD_TOKENS + tokensOf(transcript, providerName, model);
  let ledger: TurnLedger | undefined;
  try {
    const opened = await TurnLedger.open(
      // A title is part of the turn that caused it, not a request of its own: no per-minute check,
      // and its row is not counted as one.
      { user: plan.user, limits: { ...plan.limits, maxRequestsPerMinute: null }, pricing: options.pricing, purpose: 'title' },
      { target, promptTokens, replyTokens: TITLE_REPLY_TOKENS, conversationId: conversation.id },
    );
    ledger = opened.ledger;
    const completion = await provider.complete({
      model,
      system: INSTRUCTIONS,
      messages: [{ role: 'user', content: transcript }],
      maxTokens: opened.replyTokens,
      // A title needs no thinking; the hold is for its few words alone.
      reasoning: 'off',
    });
    ledger.meter({ target, reported: completion.usage, accepted: true, complete: true, text: completion.text, toolCalls: [], promptTokens });
    await ledger.settle({ messageId: null, conversationId: conversation.id });
    const title = cleanTitle(completion.text);
    if (!title) return { title: null };
    return { title: (await plan.user.setModelTitle(conversation.id, title)) ? title : null };
  } catch (error) {
    if (isChatError(error) && error.code === 'usage_limit') console.warn('ai-chat: title skipped:', error.message);
    else console.error('ai-chat: could not write the conversation title', error);
    return { title: null };
  } finally {
    await ledger?.settle({ messageId: null, conversationId: conversation.id });
  }
}

/** A model's answer as a title: its first line, without markdown, quotes or a closing stop. */
export function cleanTitle(text: string): string | null {
  const line = text.trim().split(/\r?\n/).find((each) => each.trim()) ?? '';
  const words = titleFromMessage(line.replace(/^\s*(title|titre|titel|título)\s*:\s*/i, ''))
    .replace(/^["'“”‘’«»]+|["'“”‘’«»]+$/g, '')
    .replace(/[.!。:;,]+$/u, '')
    .trim();
  if (!words || words === 'New chat') return null;
  return [...words].length > MESSAGE_TITLE_CHARS ? titleFromMessage(words) : words;
}

function excerpt(text: string): string {
  const chars = [...text.trim()];
  return chars.length <= EXCERPT_CHARS ? chars.join('') : `${chars.slice(0, EXCERPT_CHARS).join('')}…`;
}
