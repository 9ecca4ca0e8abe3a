import 'server-only';
import OpenAI from 'openai';
import { mapProviderError } from '../../providers/map-provider-error';

export interface ModerationVerdict {
  flagged: boolean;
  /** The categories that tripped, for logs and for the message shown. */
  categories: string[];
}

/** Checks a user's message before anything is spent on it. Pluggable: any function of this shape. */
export type Moderation = (input: { text: string; userId: string; signal?: AbortSignal }) => Promise<ModerationVerdict>;

export interface OpenAIModerationOptions {
  apiKey: string;
  baseURL?: string;
  /** Default omni-moderation-latest (free of charge at OpenAI). */
  model?: string;
  maxRetries?: number;
  fetch?: typeof fetch;
}

/** Moderation through OpenAI's moderation endpoint. */
export function createOpenAIModeration(options: OpenAIModerationOptions): Moderation {
  const client = new OpenAI({
    apiKey: options.apiKey,
    baseURL: options.baseURL,
    maxRetries: options.maxRetries ?? 2,
    fetch: options.fetch,
  });
  const model = options.model ?? 'omni-moderation-latest';
  return async ({ text, signal }) => {
    try {
      const response = await client.moderations.create({ model, input: text }, { signal });
      const categories = new Set<string>();
      let flagged = false;
      for (const result of response.results) {
        flagged ||= result.flagged;
        for (const [category, hit] of Object.entries(result.categories)) if (hit) categories.add(category);
      }
      return { flagged, categories: [...categories] };
    } catch (error) {
      throw mapProviderError(error, 'openai', signal);
    }
  };
}
