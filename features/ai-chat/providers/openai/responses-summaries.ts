import 'server-only';

import { APIError } from 'openai';
import type { ResponseCreateParamsBase } from 'openai/resources/responses/responses';

/**
 * Reasoning summaries need a verified OpenAI organisation; an unverified one gets a 400 for
 * `reasoning.summary` on every request. Rather than fail every chat, an adapter that meets that
 * refusal asks again without summaries and stops asking for them: the model still reasons (and
 * its encrypted reasoning still round-trips), the user just sees no summary.
 */
export function isSummaryRefusal(error: unknown): boolean {
  if (!(error instanceof APIError) || error.status !== 400) return false;
  return error.param === 'reasoning.summary' || /reasoning summar/i.test(error.message);
}

export function withoutSummary<Params extends ResponseCreateParamsBase>(params: Params): Params {
  if (!params.reasoning?.summary) return params;
  return { ...params, reasoning: { ...params.reasoning, summary: undefined } };
}
