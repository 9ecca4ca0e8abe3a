/**
 * The shape of one row of the model table. Prices are decimal strings in US dollars per million
 * tokens (never floats), exactly as the providers publish them, so a row can be checked against
 * the pricing page by eye.
 */

import type { ProviderName } from '../../protocol/provider-names';

export type ModelProvider = ProviderName;

/** A higher price band that applies to a whole request once its prompt passes a size. */
export interface LongPromptPricing {
  /** The band applies when the prompt (fresh + cached input) has more tokens than this. */
  readonly aboveTokens: number;
  readonly input: string;
  readonly cachedInput: string;
  readonly output: string;
}

export interface ModelInfo {
  readonly provider: ModelProvider;
  /** The family id; dated snapshots (`-2025-04-14`, `-20250929`, `-0613`, `-latest`) resolve to it. */
  readonly id: string;
  /** Other ids billed exactly like this one that the snapshot rule would not find. */
  readonly aliases?: readonly string[];
  /** USD per million fresh input tokens. */
  readonly input: string;
  /** USD per million output tokens (reasoning tokens included: providers bill them as output). */
  readonly output: string;
  /** USD per million cache-hit input tokens; absent when the model has no cache discount. */
  readonly cachedInput?: string;
  /**
   * USD per million tokens written to the prompt cache for 5 minutes / 1 hour. Absent: 1.25× and
   * 2× the input rate (Anthropic's published multipliers; OpenAI reports no cache writes).
   */
  readonly cacheWrite?: string;
  readonly cacheWrite1h?: string;
  readonly longPrompt?: LongPromptPricing;
  /** Total tokens the model accepts: prompt plus output. */
  readonly contextWindow: number;
  readonly maxOutputTokens: number;
  /** ISO date of the source the prices were read from. */
  readonly pricesAsOf: string;
  /** Where the prices were read. */
  readonly source?: string;
  readonly note?: string;
  /**
   * A reasoning model: how it thinks when the request says nothing. `thinking` is how Claude's
   * extended thinking is turned on (adaptive where the model offers it, else a token budget).
   */
  readonly reasoning?: {
    readonly defaultEffort?: 'minimal' | 'low' | 'medium' | 'high';
    readonly thinking?: 'adaptive' | 'budget';
  };
  /** What the model reads besides text; absent means text only. */
  readonly accepts?: { readonly images?: boolean; readonly pdf?: boolean };
}

/** The reasoning efforts a request may name ('minimal' … 'high'). */
export type ReasoningEffortLevel = NonNullable<NonNullable<ModelInfo['reasoning']>['defaultEffort']>;
