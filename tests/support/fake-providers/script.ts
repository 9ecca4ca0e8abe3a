/**
 * What a test (or a human driving the app) scripts a fake provider to answer. Provider-neutral:
 * each fake turns it into its own wire format. No test-runner imports here: e2e and load tests
 * start these servers too.
 */

export interface FakeToolCall {
  /** Defaults to a provider-looking id (`call_…` / `toolu_…`). */
  id?: string;
  name: string;
  args: unknown;
  /** How many fragments the JSON arguments are split into on the stream. Default 3. */
  argChunks?: number;
}

export interface FakeUsage {
  /** All input tokens, cached ones included (Anthropic's input_tokens gets the uncached rest). */
  promptTokens?: number;
  completionTokens?: number;
  cachedPromptTokens?: number;
}

export interface FakeHttpError {
  status: number;
  /** Provider error `type`; defaults to the provider's real one for the status. */
  type?: string;
  /** OpenAI error `code` (e.g. `context_length_exceeded`). */
  code?: string | null;
  message?: string;
  /** Sent as the `retry-after` header (seconds). */
  retryAfter?: string;
  /** Sent as the `retry-after-ms` header, which both SDKs honour before `retry-after`. */
  retryAfterMs?: string;
  headers?: Record<string, string>;
}

export interface FakeReply {
  /** Reply text. Default: an echo of the last user message. */
  text?: string;
  /** Number of text deltas the text is split into. Default: one per word. */
  chunks?: number;
  toolCalls?: FakeToolCall[];
  usage?: FakeUsage;
  /** The raw wire finish/stop reason. Default: derived (tool calls or stop). */
  finishReason?: string;
  /** Answer with this HTTP error instead of a completion. */
  httpError?: FakeHttpError;
  /** Slow mode: wait this long before each stream frame. */
  delayMs?: number;
  /** Cut the connection (socket destroyed) after this many content frames. */
  failAfterChunks?: number;
  /** Send the provider's in-stream error frame after `afterChunks` content frames, then end. */
  streamError?: { afterChunks: number; type: string; message?: string };
}

export interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  /** The parsed JSON body ({} when it was not a JSON object). */
  body: Record<string, unknown>;
  /** The key the client sent, from `Authorization: Bearer …` or `x-api-key`. */
  apiKey: string | undefined;
  /** The client closed the connection before the response ended. */
  aborted: boolean;
}

/** One stream frame; `content` frames (text or tool deltas) are the ones failure points count. */
export interface Frame {
  text: string;
  content: boolean;
  /** Wait this long before the frame instead of the reply's delayMs (reasoning streams slower). */
  delayMs?: number;
}

export function splitInto(text: string, parts: number): string[] {
  if (text === '') return [];
  const count = Math.max(1, Math.min(parts, text.length));
  const size = Math.ceil(text.length / count);
  const out: string[] = [];
  for (let start = 0; start < text.length; start += size) out.push(text.slice(start, start + size));
  return out;
}

/** Text split one word (with its following space) per chunk, unless a chunk count is given. */
export function textChunks(text: string, chunks: number | undefined): string[] {
  if (chunks !== undefined) return splitInto(text, chunks);
  return text.match(/\S+\s*|\s+/g) ?? [];
}

export function randomId(prefix: string): string {
  return `${prefix}${Math.random().toString(36).slice(2, 12)}${Math.random().toString(36).slice(2, 8)}`;
}
