import 'server-only';

import type Anthropic from '@anthropic-ai/sdk';

import { ChatError } from '../protocol/errors';
import { parseToolArgs } from './parse-tool-args';
import type { FinishReason, ProviderCompletion, ProviderEvent, ProviderToolCall, ProviderUsage } from './types';

type StreamEvent = Anthropic.Messages.RawMessageStreamEvent;

export function toFinishReason(reason: string | null | undefined): FinishReason {
  switch (reason) {
    case 'end_turn':
    case 'stop_sequence':
      return 'stop';
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'tool_use':
      return 'tool-calls';
    case 'refusal':
      return 'content-filter';
    default:
      return 'other';
  }
}

interface AnthropicUsageFields {
  input_tokens?: number | null;
  output_tokens?: number | null;
  cache_read_input_tokens?: number | null;
  cache_creation_input_tokens?: number | null;
  cache_creation?: { ephemeral_5m_input_tokens?: number | null; ephemeral_1h_input_tokens?: number | null } | null;
}

/**
 * Anthropic's input_tokens excludes cache reads and writes; they are added back so promptTokens
 * means "all input tokens" for both providers, as OpenAI's prompt_tokens does.
 */
function mergeUsage(previous: ProviderUsage, fields: AnthropicUsageFields, input: InputCounts): ProviderUsage {
  if (fields.input_tokens != null) input.tokens = fields.input_tokens;
  if (fields.cache_creation_input_tokens != null) input.cacheWrite = fields.cache_creation_input_tokens;
  if (fields.cache_creation?.ephemeral_1h_input_tokens != null) input.cacheWrite1h = fields.cache_creation.ephemeral_1h_input_tokens;
  const cachedPromptTokens = fields.cache_read_input_tokens ?? previous.cachedPromptTokens;
  // The breakdown by lifetime, when given, splits the total; without it every write is a 5-minute one.
  const cacheWrite1hTokens = Math.min(input.cacheWrite1h, input.cacheWrite);
  return {
    promptTokens: input.tokens + input.cacheWrite + cachedPromptTokens,
    completionTokens: fields.output_tokens ?? previous.completionTokens,
    cachedPromptTokens,
    ...(input.cacheWrite > 0 ? { cacheWriteTokens: input.cacheWrite - cacheWrite1hTokens, cacheWrite1hTokens } : {}),
  };
}

interface InputCounts {
  tokens: number;
  cacheWrite: number;
  cacheWrite1h: number;
}

export function toUsage(usage: AnthropicUsageFields): ProviderUsage {
  return mergeUsage({ promptTokens: 0, completionTokens: 0, cachedPromptTokens: 0 }, usage, { tokens: 0, cacheWrite: 0, cacheWrite1h: 0 });
}

/**
 * Turns Messages API stream events into provider events: input usage at message_start, text and
 * tool_use blocks (input_json_delta fragments joined and parsed at content_block_stop), stop reason
 * and output usage at message_delta, finish after message_stop. The SDK skips `ping` and throws on
 * `error` events itself.
 */
export async function* anthropicEventsToEvents(
  events: AsyncIterable<StreamEvent>,
  signal: AbortSignal | undefined,
): AsyncGenerator<ProviderEvent, void, undefined> {
  const toolBlocks = new Map<number, { id: string; name: string; json: string }>();
  const input: InputCounts = { tokens: 0, cacheWrite: 0, cacheWrite1h: 0 };
  let usage: ProviderUsage = { promptTokens: 0, completionTokens: 0, cachedPromptTokens: 0 };
  let stopReason: string | null = null;
  let stopped = false;

  try {
    for await (const event of events) {
      switch (event.type) {
        case 'message_start':
          // output_tokens here is a placeholder (1): a reply cut before message_delta is metered
          // from its streamed text by the turn's ledger, never from this figure alone.
          usage = mergeUsage(usage, event.message.usage, input);
          yield { type: 'usage', ...usage };
          break;
        case 'content_block_start':
          if (event.content_block.type === 'text' && event.content_block.text !== '') {
            yield { type: 'text-delta', delta: event.content_block.text };
          } else if (event.content_block.type === 'tool_use') {
            const { id, name } = event.content_block;
            toolBlocks.set(event.index, { id, name, json: '' });
          }
          break;
        case 'content_block_delta':
          if (event.delta.type === 'text_delta') {
            if (event.delta.text !== '') yield { type: 'text-delta', delta: event.delta.text };
          } else if (event.delta.type === 'input_json_delta') {
            const block = toolBlocks.get(event.index);
            if (block) block.json += event.delta.partial_json;
          }
          break;
        case 'content_block_stop': {
          const block = toolBlocks.get(event.index);
          if (block) {
            toolBlocks.delete(event.index);
            yield { type: 'tool-call', id: block.id, name: block.name, args: parseToolArgs(block.json) };
          }
          break;
        }
        case 'message_delta':
          stopReason = event.delta.stop_reason ?? stopReason;
          usage = mergeUsage(usage, event.usage, input);
          yield { type: 'usage', ...usage };
          break;
        case 'message_stop':
          stopped = true;
          break;
      }
    }
  } catch (error) {
    // A connection reset after message_stop loses nothing; the reply is complete.
    if (!stopped) throw error;
  }

  // The SDK ends its iterator quietly when our signal aborts it, so the abort is detected here.
  if (signal?.aborted) throw new ChatError('aborted', 'The reply was stopped.', { cause: signal.reason });
  if (!stopped) throw new ChatError('network', 'The connection to Anthropic dropped before the reply finished.');
  yield { type: 'finish', finishReason: toFinishReason(stopReason) };
}

/** A non-streaming Message in the provider-neutral shape. */
export function anthropicMessageToResult(message: Anthropic.Messages.Message): ProviderCompletion {
  let text = '';
  const toolCalls: ProviderToolCall[] = [];
  for (const block of message.content) {
    if (block.type === 'text') text += block.text;
    else if (block.type === 'tool_use') toolCalls.push({ id: block.id, name: block.name, args: block.input });
  }
  return { text, toolCalls, usage: toUsage(message.usage), finishReason: toFinishReason(message.stop_reason) };
}
