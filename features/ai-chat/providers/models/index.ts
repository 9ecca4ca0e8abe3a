import 'server-only';
import { ANTHROPIC_MODELS } from './anthropic';
import { OPENAI_MODELS } from './openai';
import type { ModelInfo } from './types';

export type { LongPromptPricing, ModelInfo, ModelProvider } from './types';
export { ANTHROPIC_MODELS } from './anthropic';
export { OPENAI_MODELS } from './openai';

/** Every model the module prices out of the box. */
export const DEFAULT_MODELS: readonly ModelInfo[] = [...OPENAI_MODELS, ...ANTHROPIC_MODELS];
