import 'server-only';
import type { AttachmentMediaType, ReasoningPart } from '../protocol/parts';

/**
 * The one interface every model provider adapter implements. Nothing provider-specific (SDK types,
 * wire field names, error classes) crosses it, so the chat handler is written once for all.
 */

export type { ProviderName } from '../protocol/provider-names';
import type { ProviderName } from '../protocol/provider-names';

export interface ProviderToolCall {
  id: string;
  name: string;
  args: unknown;
}

/** An attachment's bytes, checked by their signature, for the adapter to send in its native form. */
export interface ProviderFile {
  mediaType: AttachmentMediaType;
  name: string;
  data: Uint8Array;
}

export type ProviderMessage =
  | { role: 'user'; content: string; files?: ProviderFile[] }
  | {
      role: 'assistant';
      content: string;
      toolCalls?: ProviderToolCall[];
      /**
       * The step's reasoning, in order before its text and tool calls. An adapter sends back only
       * the parts its own provider wrote (by `provider`), with their signature or encrypted
       * content exactly as received, and drops the others.
       */
      reasoning?: ReasoningPart[];
    }
  | { role: 'tool'; toolCallId: string; name: string; content: string };

/** OpenAI reasoning effort; Anthropic maps it to its thinking (adaptive where the model offers it). */
export type ReasoningEffort = 'minimal' | 'low' | 'medium' | 'high';

export interface ProviderToolSpec {
  name: string;
  description?: string;
  /** A JSON Schema object describing the tool's arguments. */
  parameters: Record<string, unknown>;
}

export type ProviderToolChoice = 'auto' | 'none' | 'required' | { name: string };

export interface ProviderRequest {
  model: string;
  system?: string;
  messages: ProviderMessage[];
  /** Ignored by the Anthropic adapter: the installed Messages API no longer takes it. */
  temperature?: number;
  maxTokens?: number;
  tools?: ProviderToolSpec[];
  toolChoice?: ProviderToolChoice;
  /** Reasoning for reasoning models: effort, or 'off'. Absent: the model's default from the catalogue. */
  reasoning?: ReasoningEffort | 'off';
  /** Prompt caching (Anthropic cache_control); on unless false. OpenAI caches on its own. */
  promptCache?: boolean;
  /** Aborting it cancels the HTTP request at once; the call then fails with ChatError('aborted'). */
  signal?: AbortSignal;
  /** Told each time the SDK backs off before retrying (before any event of the stream). */
  onRetry?: (retry: ProviderRetry) => void;
}

/** The SDK is about to wait and try again. */
export interface ProviderRetry {
  /** 1 for the first retry. */
  attempt: number;
  retryAfterSeconds: number;
  reason: 'rate_limited' | 'overloaded' | 'server_error' | 'network';
}

export type FinishReason =
  | 'stop'
  | 'length'
  | 'tool-calls'
  | 'content-filter'
  | 'aborted'
  | 'error'
  | 'other';

/**
 * Token counts. `promptTokens` counts every input token, cached ones included (as OpenAI reports
 * them); `cachedPromptTokens` is the part of it that was read from the provider's prompt cache.
 */
export interface ProviderUsage {
  promptTokens: number;
  completionTokens: number;
  cachedPromptTokens: number;
  /** The part of promptTokens written to the prompt cache for 5 minutes / 1 hour (Anthropic). */
  cacheWriteTokens?: number;
  cacheWrite1hTokens?: number;
  /** The part of completionTokens spent reasoning (billed as output, not part of the answer). */
  reasoningTokens?: number;
}

export type ProviderEvent =
  /** The provider answered 200 and took the prompt: from here on the prompt is billed. */
  | { type: 'accepted' }
  | { type: 'text-delta'; delta: string }
  /** The model began a reasoning block (OpenAI may send its summary only once it is done). */
  | { type: 'reasoning-start' }
  | { type: 'reasoning-delta'; delta: string }
  /** A reasoning block complete, with what must be sent back to the same provider; in stream order. */
  | { type: 'reasoning-part'; part: ReasoningPart }
  | { type: 'refusal-delta'; delta: string }
  /** Emitted once the call is complete, with `args` parsed from the JSON the model wrote. */
  | { type: 'tool-call'; id: string; name: string; args: unknown }
  /** May come more than once; each carries the running totals, so the last one wins. */
  | ({ type: 'usage' } & ProviderUsage)
  | { type: 'finish'; finishReason: FinishReason };

export interface ProviderCompletion {
  text: string;
  reasoning?: ReasoningPart[];
  refusal?: string;
  toolCalls: ProviderToolCall[];
  usage: ProviderUsage;
  finishReason: FinishReason;
}

export interface ChatProvider {
  readonly name: ProviderName;
  /** Streams one completion. Throws ChatError (typed code) on failure; never yields after finish. */
  stream(request: ProviderRequest): AsyncIterable<ProviderEvent>;
  /** One non-streaming completion, same mapping, collected. */
  complete(request: ProviderRequest): Promise<ProviderCompletion>;
}

/** What both provider factories take. Defaults live in each factory. */
export interface ProviderClientOptions {
  /** One or more keys; a key rejected (401) or rate limited (429) before any output hands over to the next. */
  apiKeys: string[];
  baseURL?: string;
  /** The SDK's own retries per key (408/409/429/5xx, retry-after honoured). Default 2. */
  maxRetries?: number;
  /** Per-attempt timeout in milliseconds. Default 10 minutes (the SDKs' default). */
  timeoutMs?: number;
  /** A fetch to use instead of the global one (tests, proxies). */
  fetch?: typeof fetch;
}
