import 'server-only';
import { PROVIDERS } from '../registry';
import type { ModelInfo } from './types';

export type { LongPromptPricing, ModelInfo, ModelProvider } from './types';
export { ANTHROPIC_MODELS } from '../anthropic/models';
export { OPENAI_MODELS } from '../openai/models';

/** Every model the module prices out of the box. */
export const DEFAULT_MODELS: readonly ModelInfo[] = Object.values(PROVIDERS).flatMap((provider) => provider.models);
