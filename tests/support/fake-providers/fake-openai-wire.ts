/**
 * What the fake OpenAI's two APIs (Chat Completions, Responses) share: the error bodies, the
 * reply extensions for reasoning and refusals, and the markers that bring them about.
 */
import type { WireFormat } from './loopback-server';
import { parseMarkers } from './markers';
import { randomId, type FakeReply } from './script';

/** A FakeReply with what only OpenAI's fake knows how to say. */
export interface OpenAIFakeReply extends FakeReply {
  /**
   * Reasoning summary parts. Responses: a reasoning item (summary streamed, encrypted content)
   * before the answer. Chat Completions has no summaries: only reasoning_tokens in the usage.
   */
  reasoning?: string[];
  /** Milliseconds before each reasoning summary delta. Default max(delayMs, 80). */
  reasoningDelayMs?: number;
  /** Reasoning tokens, counted in the output tokens. Default: 4 per summary word. */
  reasoningTokens?: number;
  /** The model declines with this text instead of answering. */
  refusal?: string;
}

export const REFUSAL_TEXT = "I'm sorry, but I can't help with that request.";

/** What a reasoning model's summary of the [[think]] marker says: two parts, as the API writes them. */
export function thinkingSummary(question: string): string[] {
  const topic = question === '' ? 'this message' : `“${question.slice(0, 80)}”`;
  // About 30 words: a word every 80 ms (150 ms under [[slow]]) is 2.5 to 4.5 s of "Thinking…".
  return [
    `**Reading the question**\n\nThe person wrote ${topic}. I should see what they are after.`,
    '**Planning the reply**\n\nThis fake echoes their words, so one short line will do.',
  ];
}

/** The reply with what the last user message's [[think]] and [[refuse]] markers ask for. */
export function withOpenAIMarkers(reply: FakeReply, userText: string): OpenAIFakeReply {
  if (reply.httpError) return reply;
  const { markers, rest } = parseMarkers(userText);
  const out: OpenAIFakeReply = { ...reply };
  if (markers.has('think') && out.reasoning === undefined) out.reasoning = thinkingSummary(rest);
  if (markers.has('refuse') && out.refusal === undefined) {
    out.refusal = REFUSAL_TEXT;
    out.toolCalls = [];
  }
  return out;
}

export function reasoningTokensOf(reply: OpenAIFakeReply): number {
  if (reply.reasoningTokens !== undefined) return reply.reasoningTokens;
  const words = (reply.reasoning ?? []).join(' ').split(/\s+/).filter(Boolean).length;
  return words * 4;
}

const ERROR_DEFAULTS: Record<number, { type: string; code: string | null; message: (key: string) => string }> = {
  400: { type: 'invalid_request_error', code: null, message: () => 'Invalid request.' },
  401: {
    type: 'invalid_request_error',
    code: 'invalid_api_key',
    // The real API quotes (part of) the key it refused; the fake quotes all of it, so a test can
    // prove the key never reaches a user-facing message.
    message: (key) => `Incorrect API key provided: ${key}. You can find your API key at https://platform.openai.com/account/api-keys.`,
  },
  403: { type: 'invalid_request_error', code: 'unsupported_country_region_territory', message: () => 'Country, region, or territory not supported' },
  404: { type: 'invalid_request_error', code: null, message: () => 'Not found.' },
  429: {
    type: 'requests',
    code: 'rate_limit_exceeded',
    message: () => 'Rate limit reached for gpt-test in organization org-fake on requests per min (RPM): Limit 3, Used 3, Requested 1.',
  },
  500: { type: 'server_error', code: null, message: () => 'The server had an error while processing your request. Sorry about that!' },
  503: { type: 'server_error', code: null, message: () => 'The engine is currently overloaded, please try again later' },
};

/** OpenAI's error body and headers for a scripted HTTP error (both APIs answer alike). */
export const openAIErrorBody: WireFormat['errorBody'] = (reply, request) => {
  const error = reply.httpError!;
  const defaults = ERROR_DEFAULTS[error.status] ?? ERROR_DEFAULTS[error.status >= 500 ? 500 : 400]!;
  const headers: Record<string, string> = { 'x-request-id': randomId('req_'), ...error.headers };
  if (error.retryAfter !== undefined) headers['retry-after'] = error.retryAfter;
  if (error.retryAfterMs !== undefined) headers['retry-after-ms'] = error.retryAfterMs;
  return {
    status: error.status,
    headers,
    body: {
      error: {
        message: error.message ?? defaults.message(request.apiKey ?? ''),
        type: error.type ?? defaults.type,
        param: null,
        code: error.code === undefined ? defaults.code : error.code,
      },
    },
  };
};

export const openAINotFoundBody: WireFormat['notFoundBody'] = (path) => ({
  error: { message: `Invalid URL (POST ${path})`, type: 'invalid_request_error', param: null, code: null },
});
