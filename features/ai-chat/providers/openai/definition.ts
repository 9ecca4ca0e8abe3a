import 'server-only';
import { countCl100kText, countO200kText, encodingForModel } from '../bpe';
import type { ProviderDefinition } from '../definition';
import { openAIImageTokens } from './image-tokens';
import { OPENAI_MODELS } from './models';

/** OpenAI (and servers that speak its APIs): exact BPE counts, tiles or patches per image. */
export const OPENAI: ProviderDefinition = {
  name: 'openai',
  keyVariable: 'OPENAI_API_KEY',
  defaultModel: 'gpt-5-mini',
  models: OPENAI_MODELS,
  refusalStreamsAsText: false,
  tokenCounter: (model) => ({ count: encodingForModel(model) === 'cl100k_base' ? countCl100kText : countO200kText, factor: 1 }),
  // Size unknown: priced as the largest image the API keeps (2048 px a side).
  // Reasoning tokens are part of max_output_tokens: no room on top.
  reasoningRoom: () => 0,
  imageTokens: (model, width, height) => (width > 0 && height > 0 ? openAIImageTokens(model, width, height) : openAIImageTokens(model, 2048, 2048)),
};
