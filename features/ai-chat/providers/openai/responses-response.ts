import 'server-only';

import { APIError } from 'openai';
import type {
  Response,
  ResponseOutputItem,
  ResponseReasoningItem,
  ResponseStreamEvent,
  ResponseUsage,
} from 'openai/resources/responses/responses';

import { ChatError } from '../../protocol/errors';
import type { ReasoningPart } from '../../protocol/parts';
import { parseToolArgs } from '../parse-tool-args';
import type { FinishReason, ProviderCompletion, ProviderEvent, ProviderToolCall, ProviderUsage } from '../types';

export function toResponsesUsage(usage: ResponseUsage | undefined): ProviderUsage {
  if (!usage) return { promptTokens: 0, completionTokens: 0, cachedPromptTokens: 0 };
  const reasoningTokens = usage.output_tokens_details?.reasoning_tokens ?? 0;
  return {
    promptTokens: usage.input_tokens,
    completionTokens: usage.output_tokens,
    cachedPromptTokens: usage.input_tokens_details?.cached_tokens ?? 0,
    ...(reasoningTokens > 0 ? { reasoningTokens } : {}),
  };
}

/** A refusal is a content filter stop whatever the status says (it arrives as `completed`). */
function finishOf(response: Response, sawToolCall: boolean, sawRefusal: boolean): FinishReason {
  if (sawRefusal) return 'content-filter';
  if (response.status === 'incomplete') {
    const reason = response.incomplete_details?.reason;
    if (reason === 'max_output_tokens') return 'length';
    if (reason === 'content_filter') return 'content-filter';
    return 'other';
  }
  return sawToolCall ? 'tool-calls' : 'stop';
}

export function reasoningPartOf(item: ResponseReasoningItem): ReasoningPart {
  return {
    type: 'reasoning',
    text: item.summary.map((summary) => summary.text).join('\n\n'),
    provider: 'openai',
    itemId: item.id,
    ...(item.encrypted_content ? { encryptedContent: item.encrypted_content } : {}),
  };
}

/**
 * An error the API reports inside a 200 stream, as the SDK's APIError so that map-provider-error
 * reads its code (rate_limit_exceeded, server_error, …) the same way as a status error.
 */
function streamFailure(error: { code?: string | null; message?: string } | null | undefined): APIError {
  const code = error?.code ?? 'server_error';
  const message = error?.message ?? 'The response failed.';
  return new APIError(undefined, { type: code, code, message }, message, undefined);
}

/**
 * Turns Responses API stream events into provider events. Reasoning summaries stream as
 * reasoning deltas (summary parts separated by a blank line) and each reasoning item ends with a
 * reasoning part carrying its id and encrypted content; a function call is emitted whole when its
 * item is done, with the arguments the item ends with.
 */
export async function* responsesEventsToProviderEvents(
  events: AsyncIterable<ResponseStreamEvent>,
  signal: AbortSignal | undefined,
): AsyncGenerator<ProviderEvent, void, undefined> {
  let sawToolCall = false;
  let sawRefusal = false;
  let finished: Response | undefined;

  for await (const event of events) {
    switch (event.type) {
      case 'response.output_item.added':
        if (event.item.type === 'reasoning') yield { type: 'reasoning-start' };
        break;
      case 'response.reasoning_summary_part.added':
        if (event.summary_index > 0) yield { type: 'reasoning-delta', delta: '\n\n' };
        break;
      case 'response.reasoning_summary_text.delta':
        if (event.delta) yield { type: 'reasoning-delta', delta: event.delta };
        break;
      case 'response.output_text.delta':
        if (event.delta) yield { type: 'text-delta', delta: event.delta };
        break;
      case 'response.refusal.delta':
        sawRefusal = true;
        if (event.delta) yield { type: 'refusal-delta', delta: event.delta };
        break;
      case 'response.output_item.done':
        if (event.item.type === 'reasoning') yield { type: 'reasoning-part', part: reasoningPartOf(event.item) };
        if (event.item.type === 'function_call') {
          sawToolCall = true;
          yield { type: 'tool-call', id: event.item.call_id, name: event.item.name, args: parseToolArgs(event.item.arguments) };
        }
        break;
      case 'response.completed':
      case 'response.incomplete':
        finished = event.response;
        break;
      case 'response.failed':
        throw streamFailure(event.response.error);
      case 'error':
        throw streamFailure(event);
      default:
        break;
    }
  }

  // The SDK ends its iterator quietly when our signal aborts it, so the abort is detected here.
  if (signal?.aborted) throw new ChatError('aborted', 'The reply was stopped.', { cause: signal.reason });
  if (!finished) throw new ChatError('network', 'The connection to OpenAI dropped before the reply finished.');
  yield { type: 'usage', ...toResponsesUsage(finished.usage) };
  yield { type: 'finish', finishReason: finishOf(finished, sawToolCall, sawRefusal) };
}

function collectOutput(output: readonly ResponseOutputItem[]) {
  let text = '';
  let refusal = '';
  const reasoning: ReasoningPart[] = [];
  const toolCalls: ProviderToolCall[] = [];
  for (const item of output) {
    if (item.type === 'reasoning') reasoning.push(reasoningPartOf(item));
    if (item.type === 'function_call') toolCalls.push({ id: item.call_id, name: item.name, args: parseToolArgs(item.arguments) });
    if (item.type !== 'message') continue;
    for (const content of item.content) {
      if (content.type === 'output_text') text += content.text;
      else refusal += content.refusal;
    }
  }
  return { text, refusal, reasoning, toolCalls };
}

/** A non-streaming response in the provider-neutral shape. */
export function openAIResponseToResult(response: Response): ProviderCompletion {
  if (response.status === 'failed') throw streamFailure(response.error);
  const { text, refusal, reasoning, toolCalls } = collectOutput(response.output);
  return {
    text,
    ...(reasoning.length > 0 ? { reasoning } : {}),
    ...(refusal === '' ? {} : { refusal }),
    toolCalls,
    usage: toResponsesUsage(response.usage),
    finishReason: finishOf(response, toolCalls.length > 0, refusal !== ''),
  };
}
