import 'server-only';

import { resolveModel } from '../pricing';
import type { ProviderRequest, ReasoningEffort } from '../types';

/** The effort values the OpenAI APIs take (`none` on GPT-5.1 and later only). */
export type OpenAIEffort = ReasoningEffort | 'none';

export interface OpenAIReasoningChoice {
  /** Whether the model reasons at all: only then may `reasoning` and its `include` be sent. */
  reasons: boolean;
  /** The effort to send; undefined leaves it to the API's default for the model. */
  effort?: OpenAIEffort;
}

// GPT-5.1 and later take `none`; GPT-5 takes `minimal` at the least; the o-series `low`; the
// GPT-5.x pro models `medium`.
const TAKES_NONE = /^gpt-5\.\d/;
const PRO = /^gpt-5\.\d+-pro/;
const O_SERIES = /^o\d/;

function lowestEffort(model: string): OpenAIEffort {
  if (PRO.test(model)) return 'medium';
  if (TAKES_NONE.test(model)) return 'none';
  return O_SERIES.test(model) ? 'low' : 'minimal';
}

/**
 * What to ask of a model's reasoning: the request's effort, else the catalogue's default for the
 * model. A model the catalogue does not know as a reasoning model gets no `reasoning` field unless
 * the request names an effort: non-reasoning models (gpt-4.1, most compatible servers' models)
 * answer 400 to it. 'off' asks for the least the model allows.
 */
export function openAIReasoningFor(request: Pick<ProviderRequest, 'model' | 'reasoning'>): OpenAIReasoningChoice {
  const model = request.model.trim().toLowerCase();
  const info = resolveModel('openai', model);
  const known = info?.reasoning !== undefined;
  if (request.reasoning === 'off') return known ? { reasons: true, effort: lowestEffort(model) } : { reasons: false };
  if (request.reasoning !== undefined) {
    // The o-series has no `minimal`.
    const effort = request.reasoning === 'minimal' && (O_SERIES.test(model) || TAKES_NONE.test(model)) ? 'low' : request.reasoning;
    return { reasons: true, effort };
  }
  if (!known) return { reasons: false };
  return { reasons: true, ...(info.reasoning?.defaultEffort ? { effort: info.reasoning.defaultEffort } : {}) };
}
