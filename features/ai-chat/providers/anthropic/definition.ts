import 'server-only';
import type { ProviderDefinition } from '../definition';
import { ANTHROPIC_MAX_IMAGE_TOKENS, anthropicImageTokens } from './image-tokens';
import { ANTHROPIC_MODELS } from './models';
import { reasoningRoomTokens } from './reasoning-room';
import { claudeTokenCounter } from './tokens';

/** Anthropic: an over-estimate of tokens (its tokenizer is not published), a refusal streamed as text. */
export const ANTHROPIC: ProviderDefinition = {
  name: 'anthropic',
  keyVariable: 'ANTHROPIC_API_KEY',
  defaultModel: 'claude-sonnet-5-5',
  models: ANTHROPIC_MODELS,
  refusalStreamsAsText: true,
  tokenCounter: claudeTokenCounter,
  reasoningRoom: reasoningRoomTokens,
  imageTokens: (_model, width, height) => (width > 0 && height > 0 ? anthropicImageTokens(width, height) : ANTHROPIC_MAX_IMAGE_TOKENS),
};
