import 'server-only';
import { countO200kText } from '../bpe';
import type { ProviderDefinition } from '../definition';
import type { ModelInfo } from '../models/types';

/** The one model of the offline demo: free, local, text and text files only. */
export const DEMO_MODEL = 'offline-demo';

const DEMO_MODELS: readonly ModelInfo[] = [
  {
    provider: 'demo', id: DEMO_MODEL, input: '0', output: '0', contextWindow: 128_000, maxOutputTokens: 4_096,
    pricesAsOf: '2026-12-07', note: 'Canned replies written on this machine; no AI, no network, no cost.',
  },
];

/**
 * The offline demo (development only, when no key is set): a stand-in so the first run can chat.
 * It has no key; its keyVariable names what would replace it.
 */
export const DEMO: ProviderDefinition = {
  name: 'demo',
  keyVariable: 'OPENAI_API_KEY',
  defaultModel: DEMO_MODEL,
  models: DEMO_MODELS,
  refusalStreamsAsText: false,
  tokenCounter: () => ({ count: countO200kText, factor: 1 }),
  // It never thinks: no room beyond the answer.
  reasoningRoom: () => 0,
  imageTokens: () => 0,
};
