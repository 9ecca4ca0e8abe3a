import 'server-only';

import type Anthropic from '@anthropic-ai/sdk';

import { ChatError } from '../../protocol/errors';
import type { ReasoningPart } from '../../protocol/parts';
import { parseToolArgs } from '../parse-tool-args';
import { emptyInput, emptyUsage, mergeUsage, toUsage } from './usage';
import type { FinishReason, ProviderCompletion, ProviderEvent, ProviderToolCall, ProviderUsage } from '../types';

export { toUsage } from './usage';

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
      // What old clients already know a refusal as.
      return 'content-filter';
    default:
      return 'other';
  }
}

/** A thinking block as a reasoning part, its signature or redacted data kept byte for byte. */
function thinkingPart(block: { type: 'thinking'; text: string; signature: string } | { type: 'redacted'; data: string }): ReasoningPart {
  if (block.type === 'redacted') return { type: 'reasoning', provider: 'anthropic', text: '', redactedData: block.data };
  return { type: 'reasoning', provider: 'anthropic', text: block.text, ...(block.signature === '' ? {} : { signature: block.signature }) };
}

type OpenBlock =
  | { type: 'tool'; id: string; name: string; json: string }
  | { type: 'thinking'; text: string; signature: string }
  | { type: 'redacted'; data: string };

/**
 * Turns Messages API stream events into provider events: input usage at message_start; text,
 * thinking and tool_use blocks (a thinking block's deltas as reasoning-delta, its signature_delta
 * kept for the reasoning-part at content_block_stop; input_json_delta fragments joined and parsed
 * there too); stop reason and output usage at message_delta; finish after message_stop. A refusal's
 * explanation, when the API gives one, arrives as refusal-delta. The SDK skips `ping` and throws on
 * `error` events itself.
 */
export async function* anthropicEventsToEvents(
  events: AsyncIterable<StreamEvent>,
  signal: AbortSignal | undefined,
): AsyncGenerator<ProviderEvent, void, undefined> {
  const blocks = new Map<number, OpenBlock>();
  const input = emptyInput();
  let usage: ProviderUsage = emptyUsage();
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
        case 'content_block_start': {
          const block = event.content_block;
          if (block.type === 'text' && block.text !== '') {
            yield { type: 'text-delta', delta: block.text };
          } else if (block.type === 'tool_use') {
            blocks.set(event.index, { type: 'tool', id: block.id, name: block.name, json: '' });
          } else if (block.type === 'thinking') {
            blocks.set(event.index, { type: 'thinking', text: block.thinking, signature: block.signature });
            yield { type: 'reasoning-start' };
            if (block.thinking !== '') yield { type: 'reasoning-delta', delta: block.thinking };
          } else if (block.type === 'redacted_thinking') {
            blocks.set(event.index, { type: 'redacted', data: block.data });
            yield { type: 'reasoning-start' };
          }
          break;
        }
        case 'content_block_delta': {
          const block = blocks.get(event.index);
          const delta = event.delta;
          if (delta.type === 'text_delta') {
            if (delta.text !== '') yield { type: 'text-delta', delta: delta.text };
          } else if (delta.type === 'input_json_delta') {
            if (block?.type === 'tool') block.json += delta.partial_json;
          } else if (delta.type === 'thinking_delta') {
            if (block?.type === 'thinking') block.text += delta.thinking;
            if (delta.thinking !== '') yield { type: 'reasoning-delta', delta: delta.thinking };
          } else if (delta.type === 'signature_delta') {
            if (block?.type === 'thinking') block.signature += delta.signature;
          }
          break;
        }
        case 'content_block_stop': {
          const block = blocks.get(event.index);
          if (!block) break;
          blocks.delete(event.index);
          if (block.type === 'tool') yield { type: 'tool-call', id: block.id, name: block.name, args: parseToolArgs(block.json) };
          else yield { type: 'reasoning-part', part: thinkingPart(block) };
          break;
        }
        case 'message_delta':
          stopReason = event.delta.stop_reason ?? stopReason;
          if (event.delta.stop_details?.type === 'refusal' && event.delta.stop_details.explanation) {
            yield { type: 'refusal-delta', delta: event.delta.stop_details.explanation };
          }
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
  const reasoning: ReasoningPart[] = [];
  for (const block of message.content) {
    if (block.type === 'text') text += block.text;
    else if (block.type === 'tool_use') toolCalls.push({ id: block.id, name: block.name, args: block.input });
    else if (block.type === 'thinking') reasoning.push(thinkingPart({ type: 'thinking', text: block.thinking, signature: block.signature }));
    else if (block.type === 'redacted_thinking') reasoning.push(thinkingPart({ type: 'redacted', data: block.data }));
  }
  const refusal = message.stop_reason === 'refusal' ? (message.stop_details?.explanation ?? undefined) : undefined;
  return {
    text,
    ...(reasoning.length > 0 ? { reasoning } : {}),
    ...(refusal ? { refusal } : {}),
    toolCalls,
    usage: toUsage(message.usage),
    finishReason: toFinishReason(message.stop_reason),
  };
}
