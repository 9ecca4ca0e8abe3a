import type { ModelInfo, ReasoningEffortLevel } from './models/types';
import type { ProviderName } from './types';

/**
 * What the rest of the module needs to know of one provider, beyond its stream (ChatProvider):
 * how it counts and prices before a call, and how it behaves. A provider is its folder plus one
 * of these in the registry; nothing outside the folder names it.
 */
export interface ProviderDefinition {
  readonly name: ProviderName;
  /** The environment variable that holds its key(s), for the operator's hints. */
  readonly keyVariable: string;
  /** The model a request gets when it names none and the operator chose none. */
  readonly defaultModel: string;
  /** Its models, priced: the default model table's rows. */
  readonly models: readonly ModelInfo[];
  /**
   * It streams a refusal as ordinary text and names it only by its finish reason (Claude's
   * `stop_reason: refusal`): the server then tells the client the text was the refusal.
   */
  readonly refusalStreamsAsText: boolean;
  /** A model's text counter before the call: `count` exact or an estimate, scaled by `factor` (rounded up). */
  tokenCounter(model: string): { count: (text: string) => number; factor: number };
  /**
   * Output tokens a call at this effort may spend thinking before its answer, on top of the
   * answer's length (0 where reasoning already counts inside the output cap, as OpenAI's does).
   */
  reasoningRoom(model: ModelInfo, effort: ReasoningEffortLevel | 'off' | undefined): number;
  /** Input tokens one image costs at these pixels; 0 × 0 (unknown) is the most one may cost. */
  imageTokens(model: string, width: number, height: number): number;
}
