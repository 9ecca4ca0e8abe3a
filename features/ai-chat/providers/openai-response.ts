import 'server-only';

import type OpenAI from 'openai';

import { ChatError } from '../protocol/errors';
import { parseToolArgs } from './parse-tool-args';
import type { FinishReason, ProviderCompletion, ProviderEvent, ProviderToolCall, ProviderUsage } from './types';

type Chunk = OpenAI.Chat.Completions.ChatCompletionChunk;

export function toFinishReason(reason: string | null | undefined): FinishReason {
  switch (reason) {
    case 'stop':
      return 'stop';
    case 'length':
      return 'length';
    case 'tool_calls':
    case 'function_call':
      return 'tool-calls';
    case 'content_filter':
      return 'content-filter';
    default:
      return 'other';
  }
}

export function toUsage(usage: OpenAI.CompletionUsage): ProviderUsage {
  const reasoningTokens = usage.completion_tokens_details?.reasoning_tokens ?? 0;
  return {
    promptTokens: usage.prompt_tokens,
    completionTokens: usage.completion_tokens,
    cachedPromptTokens: usage.prompt_tokens_details?.cached_tokens ?? 0,
    ...(reasoningTokens > 0 ? { reasoningTokens } : {}),
  };
}

interface PendingToolCall {
  id: string;
  name: string;
  json: string;
}

/**
 * Turns Chat Completions chunks into provider events. Tool-call fragments are keyed by `index`
 * (only the first fragment carries id and name) and emitted whole when the choice finishes.
 * `finish` is held back to the very end because the usage chunk comes after the finish_reason one.
 */
export async function* openAIChunksToEvents(
  chunks: AsyncIterable<Chunk>,
  signal: AbortSignal | undefined,
): AsyncGenerator<ProviderEvent, void, undefined> {
  const pending = new Map<number, PendingToolCall>();
  let finishReason: FinishReason | undefined;

  for await (const chunk of chunks) {
    const choice = chunk.choices[0];
    const delta = choice?.delta;
    if (delta?.content) yield { type: 'text-delta', delta: delta.content };
    for (const fragment of delta?.tool_calls ?? []) {
      const call = pending.get(fragment.index) ?? { id: '', name: '', json: '' };
      if (fragment.id) call.id = fragment.id;
      if (fragment.function?.name) call.name += fragment.function.name;
      if (fragment.function?.arguments) call.json += fragment.function.arguments;
      pending.set(fragment.index, call);
    }
    if (choice?.finish_reason) {
      finishReason = toFinishReason(choice.finish_reason);
      const ordered = [...pending.entries()].sort(([a], [b]) => a - b);
      for (const [index, call] of ordered) {
        // Some compatible servers leave the id out; the next request needs one to pair the result.
        const id = call.id || `call_${index}`;
        yield { type: 'tool-call', id, name: call.name, args: parseToolArgs(call.json) };
      }
      pending.clear();
    }
    if (chunk.usage) yield { type: 'usage', ...toUsage(chunk.usage) };
  }

  // The SDK ends its iterator quietly when our signal aborts it, so the abort is detected here.
  if (signal?.aborted) throw new ChatError('aborted', 'The reply was stopped.', { cause: signal.reason });
  if (finishReason === undefined) {
    throw new ChatError('network', 'The connection to OpenAI dropped before the reply finished.');
  }
  yield { type: 'finish', finishReason };
}

/** The first choice of a non-streaming completion, in the provider-neutral shape. */
export function openAICompletionToResult(completion: OpenAI.Chat.Completions.ChatCompletion): ProviderCompletion {
  const choice = completion.choices[0];
  const toolCalls: ProviderToolCall[] = [];
  for (const call of choice?.message.tool_calls ?? []) {
    if (call.type !== 'function') continue;
    toolCalls.push({ id: call.id, name: call.function.name, args: parseToolArgs(call.function.arguments) });
  }
  return {
    text: choice?.message.content ?? '',
    toolCalls,
    usage: completion.usage ? toUsage(completion.usage) : { promptTokens: 0, completionTokens: 0, cachedPromptTokens: 0 },
    finishReason: toFinishReason(choice?.finish_reason),
  };
}
