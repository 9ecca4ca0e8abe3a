import 'server-only';

import type Anthropic from '@anthropic-ai/sdk';

import { alwaysThinks, MIN_ANSWER_TOKENS, MIN_THINKING_BUDGET, reasoningRoomTokens, THINKING_TOKENS, thinkingEffort } from './reasoning-room';
import type { ModelInfo } from '../models/types';
import type { ProviderRequest, ReasoningEffort } from '../types';

type ThinkingConfig = Anthropic.Messages.ThinkingConfigParam;
type Effort = NonNullable<Anthropic.Messages.OutputConfig['effort']>;

/** Anthropic requires max_tokens; enough for a long chat answer without inviting runaway cost. */
export const DEFAULT_ANTHROPIC_MAX_TOKENS = 4096;

/** Adaptive thinking takes low/medium/high (and more); there is no "minimal". */
const ADAPTIVE_EFFORT: Record<ReasoningEffort, Effort> = { minimal: 'low', low: 'low', medium: 'medium', high: 'high' };

/** From the most thinking to the least, for an adaptive effort that fits a tight ceiling. */
const EFFORTS_DOWN: readonly ReasoningEffort[] = ['high', 'medium', 'low', 'minimal'];

export interface ThinkingParams {
  maxTokens: number;
  thinking?: ThinkingConfig;
  outputConfig?: Anthropic.Messages.OutputConfig;
}

/**
 * The thinking part of a Messages body: `thinking`, `output_config.effort` and max_tokens.
 *
 * The caller's `maxTokens` is the ceiling of everything the call writes, thinking included: it is
 * what the turn's ledger reserved, so max_tokens is never above it (nor the model's own cap).
 * Thinking fits inside it and leaves the answer at least MIN_ANSWER_TOKENS; when it cannot, the
 * call does not think. With no `maxTokens` the ceiling is the default answer plus the effort's room.
 *
 * What the API refuses is avoided here rather than sent: thinking with a forced tool choice (only
 * auto and none are allowed), a budget not below max_tokens, a budget under 1,024. Temperature,
 * the other forbidden partner of thinking, is never sent (the installed SDK has no such field).
 */
export function thinkingParams(request: ProviderRequest, model: ModelInfo | null): ThinkingParams {
  const mode = model?.reasoning?.thinking;
  const forcedTool = request.toolChoice === 'required' || typeof request.toolChoice === 'object';
  const effort = thinkingEffort(model, request.reasoning);
  // With a budget the model always thinks, and the API then wants that thinking back in front of
  // the tool call being answered; without it (not kept, or written by another provider) the
  // follow-up is sent without thinking rather than refused.
  const lostThinking = mode === 'budget' && continuesToolTurnWithoutThinking(request);
  const thinks = mode !== undefined && request.reasoning !== 'off' && !forcedTool && !lostThinking;
  // A model that always thinks does so whatever it is told, so its default ceiling keeps the room.
  const room = thinks || alwaysThinks(model) ? reasoningRoomTokens(model, request.reasoning) : 0;
  const maxTokens = Math.min(request.maxTokens ?? DEFAULT_ANTHROPIC_MAX_TOKENS + room, model?.maxOutputTokens ?? Number.MAX_SAFE_INTEGER);
  // What thinking may take and still leave the answer its minimum.
  const thinkingRoom = Math.min(room, maxTokens - MIN_ANSWER_TOKENS);

  if (!thinks || effort === 'off' || thinkingRoom < MIN_THINKING_BUDGET) {
    // An adaptive model may think when `thinking` is left out; say no explicitly, except to a model
    // that always thinks (Mythos Preview answered `disabled` with a 400): there, leave it to the API.
    const sayNo = mode === 'adaptive' && !alwaysThinks(model);
    return { maxTokens, ...(sayNo ? { thinking: { type: 'disabled' } } : {}) };
  }

  if (mode === 'adaptive') {
    // Adaptive thinking has no budget; its effort is stepped down until its room fits the ceiling.
    const fitted = EFFORTS_DOWN.slice(EFFORTS_DOWN.indexOf(effort)).find((level) => THINKING_TOKENS[level] <= thinkingRoom) ?? 'minimal';
    const asked = request.reasoning !== undefined || model?.reasoning?.defaultEffort !== undefined || fitted !== effort;
    // Summarised display: newer models omit the thinking text by default, and the person wants to read it.
    return { maxTokens, thinking: { type: 'adaptive', display: 'summarized' }, ...(asked ? { outputConfig: { effort: ADAPTIVE_EFFORT[fitted] } } : {}) };
  }

  // budget_tokens is below max_tokens by at least the answer's minimum.
  return { maxTokens, thinking: { type: 'enabled', budget_tokens: thinkingRoom, display: 'summarized' } };
}

/** The request answers tool results of an assistant step that carries none of Claude's thinking. */
function continuesToolTurnWithoutThinking(request: ProviderRequest): boolean {
  if (request.messages.at(-1)?.role !== 'tool') return false;
  const step = request.messages.findLast((message) => message.role === 'assistant');
  if (step?.role !== 'assistant' || !step.toolCalls?.length) return false;
  return !(step.reasoning ?? []).some((part) => part.provider === 'anthropic' && (part.signature !== undefined || part.redactedData !== undefined));
}
