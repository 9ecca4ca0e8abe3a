import 'server-only';

import {
  APIConnectionError as AnthropicConnectionError,
  APIError as AnthropicAPIError,
  APIUserAbortError as AnthropicUserAbortError,
  AnthropicError,
} from '@anthropic-ai/sdk';
import {
  APIConnectionError as OpenAIConnectionError,
  APIError as OpenAIAPIError,
  APIUserAbortError as OpenAIUserAbortError,
  OpenAIError,
} from 'openai';

import { ChatError, isChatError, type ChatErrorCode } from '../protocol/errors';
import type { ProviderName } from './types';

const PROVIDER_LABEL: Record<ProviderName, string> = { openai: 'OpenAI', anthropic: 'Anthropic', demo: 'the offline demo' };

/**
 * Fixed, user-safe messages. The provider's own text can quote the request or a key prefix
 * ("Incorrect API key provided: sk-ab***"), so it only ever travels as `cause`.
 */
function friendlyMessage(code: ChatErrorCode, provider: ProviderName): string {
  const label = PROVIDER_LABEL[provider];
  switch (code) {
    case 'rate_limited':
      return `${label} is rate limiting requests. Please try again shortly.`;
    case 'overloaded':
      return `${label} is overloaded right now. Please try again shortly.`;
    case 'auth':
      return `${label} rejected the server's credentials. Ask the site owner to check the API key.`;
    case 'context_length':
      return 'This conversation is too long for the model. Start a new conversation or shorten your message.';
    case 'bad_request':
      return `${label} could not process this request.`;
    case 'network':
      return `Could not reach ${label}. Please try again.`;
    case 'aborted':
      return 'The reply was stopped.';
    default:
      return `${label} had a problem answering. Please try again.`;
  }
}

/**
 * A network failure after part of the reply had arrived: the provider was reached, the connection
 * then dropped. Said so (not "Could not reach"), with what happens next.
 */
export function connectionLostMidReply(provider: ProviderName, cause: unknown): ChatError {
  return new ChatError('network', `The connection to ${PROVIDER_LABEL[provider]} was lost mid-reply. What arrived is kept; retry to answer again.`, { cause });
}

function chatError(code: ChatErrorCode, provider: ProviderName, cause: unknown, retryAfterSeconds?: number) {
  return new ChatError(code, friendlyMessage(code, provider), { cause, retryAfterSeconds });
}

/** Seconds from `retry-after-ms` or `retry-after` (seconds or an HTTP date), as the SDKs read them. */
export function retryAfterSecondsFrom(headers: Headers | undefined): number | undefined {
  if (!headers) return undefined;
  const ms = Number.parseFloat(headers.get('retry-after-ms') ?? '');
  if (Number.isFinite(ms) && ms >= 0) return ms / 1000;
  const raw = headers.get('retry-after');
  if (!raw) return undefined;
  const seconds = Number.parseFloat(raw);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds;
  const date = Date.parse(raw);
  return Number.isNaN(date) ? undefined : Math.max(0, (date - Date.now()) / 1000);
}

const CONTEXT_LENGTH_WORDING =
  /context[_ ]length|context window|maximum context|prompt is too long|too many (input )?tokens/i;

/** What the status line and body say, read from either SDK's APIError. */
interface ApiErrorFacts {
  status: number | undefined;
  headers: Headers | undefined;
  /** OpenAI `error.code`, or Anthropic `error.details.error_code`. */
  code: string | null | undefined;
  /** OpenAI `error.type` / Anthropic `error.type` (e.g. `overloaded_error`). */
  type: string | null | undefined;
  /** The provider's message, read only to recognise context-length errors, never shown. */
  apiMessage: string;
}

function factsOf(error: OpenAIAPIError | AnthropicAPIError): ApiErrorFacts {
  if (error instanceof AnthropicAPIError) {
    return {
      status: error.status,
      headers: error.headers,
      code: error.errorCode,
      type: error.type,
      apiMessage: error.apiMessage ?? '',
    };
  }
  const body = error.error as { message?: unknown } | undefined;
  return {
    status: error.status,
    headers: error.headers,
    code: error.code,
    type: error.type,
    apiMessage: typeof body?.message === 'string' ? body.message : '',
  };
}

function codeFromStatus(facts: ApiErrorFacts): ChatErrorCode | undefined {
  const { status } = facts;
  if (status === undefined) return undefined;
  if (status === 429) return 'rate_limited';
  if (status === 529 || status === 503) return 'overloaded';
  if (status === 401 || status === 403) return 'auth';
  // The SDK already retried a 408; what is left is the provider not answering in time.
  if (status === 408) return 'network';
  if (status === 400 || status === 413) {
    const isContextLength =
      facts.code === 'context_length_exceeded' || CONTEXT_LENGTH_WORDING.test(facts.apiMessage);
    return isContextLength ? 'context_length' : 'bad_request';
  }
  if (status >= 400 && status < 500) return 'bad_request';
  return 'provider_error';
}

/** Errors that arrive inside a 200 stream carry no status, only the body's type/code. */
function codeFromBodyType(facts: ApiErrorFacts): ChatErrorCode {
  const kind = `${facts.type ?? ''} ${facts.code ?? ''}`;
  if (/overloaded/.test(kind)) return 'overloaded';
  if (/rate_limit/.test(kind)) return 'rate_limited';
  if (/authentication|permission|invalid_api_key/.test(kind)) return 'auth';
  if (/context_length/.test(kind) || CONTEXT_LENGTH_WORDING.test(facts.apiMessage)) return 'context_length';
  if (/invalid_request/.test(kind)) return 'bad_request';
  return 'provider_error';
}

/**
 * Maps anything an SDK call or stream throws into a ChatError with a fixed, user-safe message and
 * the original error as `cause`. A ChatError passes through unchanged. When `signal` was aborted
 * the result is always 'aborted', whatever the SDK reported while tearing the request down.
 */
export function mapProviderError(error: unknown, provider: ProviderName, signal?: AbortSignal): ChatError {
  if (isChatError(error)) return error;
  if (signal?.aborted) return chatError('aborted', provider, error);

  if (error instanceof OpenAIUserAbortError || error instanceof AnthropicUserAbortError) {
    return chatError('aborted', provider, error);
  }
  // Timeout is a subclass of connection error in both SDKs; both mean the provider was unreachable.
  if (error instanceof OpenAIConnectionError || error instanceof AnthropicConnectionError) {
    return chatError('network', provider, error);
  }
  if (error instanceof OpenAIAPIError || error instanceof AnthropicAPIError) {
    const facts = factsOf(error);
    const code = codeFromStatus(facts) ?? codeFromBodyType(facts);
    const retryAfter = code === 'rate_limited' || code === 'overloaded' ? retryAfterSecondsFrom(facts.headers) : undefined;
    return chatError(code, provider, error, retryAfter);
  }
  // A malformed frame from the provider (or a proxy in front of it), or the SDK refusing a reply
  // it cannot read.
  if (error instanceof SyntaxError || error instanceof OpenAIError || error instanceof AnthropicError) {
    return chatError('provider_error', provider, error);
  }
  // Anything else thrown while reading the body (undici's "terminated", ECONNRESET) is the
  // connection dropping under us.
  return chatError('network', provider, error);
}

/** The HTTP status of the SDK error behind a ChatError, when there was one. */
export function providerStatusOf(error: ChatError): number | undefined {
  const cause = error.cause;
  if (cause instanceof OpenAIAPIError || cause instanceof AnthropicAPIError) {
    return typeof cause.status === 'number' ? cause.status : undefined;
  }
  return undefined;
}
