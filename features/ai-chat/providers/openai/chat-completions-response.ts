import 'server-only';

import type OpenAI from 'openai';

import { ChatError } from '../../protocol/errors';
import { parseToolArgs } from '../parse-tool-args';
import type { FinishReason, ProviderCompletion, ProviderEvent, ProviderToolCall, ProviderUsage } from '../types';

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

/**
 * Reasoning text some compatible servers stream beside the answer: `reasoning_content` (vLLM,
 * DeepSeek) or `reasoning` (OpenRouter, Ollama). Not in OpenAI's own types.
 */
function reasoningDeltaOf(delta: Chunk['choices'][number]['delta'] | undefined): string {
  const extra = delta as { reasoning_content?: unknown; reasoning?: unknown } | undefined;
  const value = extra?.reasoning_content ?? extra?.reasoning;
  return typeof value === 'string' ? value : '';
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
  let refused = false;
  // Open reasoning from a compatible server, closed (as a part with no secrets) when the answer starts.
  let reasoning: string | undefined;
  function* closeReasoning(): Generator<ProviderEvent> {
    if (reasoning === undefined) return;
    yield { type: 'reasoning-part', part: { type: 'reasoning', text: reasoning, provider: 'openai' } };
    reasoning = undefined;
  }

  for await (const chunk of chunks) {
    const choice = chunk.choices[0];
    const delta = choice?.delta;
    const thought = reasoningDeltaOf(delta);
    if (thought !== '') {
      if (reasoning === undefined) yield { type: 'reasoning-start' };
      reasoning = (reasoning ?? '') + thought;
      yield { type: 'reasoning-delta', delta: thought };
    }
    if (delta?.content || delta?.refusal || delta?.tool_calls?.length || choice?.finish_reason) yield* closeReasoning();
    if (delta?.content) yield { type: 'text-delta', delta: delta.content };
    if (delta?.refusal) {
      refused = true;
      yield { type: 'refusal-delta', delta: delta.refusal };
    }
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
  // A refusal finishes with `stop`; it is a content filter stop all the same.
  yield { type: 'finish', finishReason: refused ? 'content-filter' : finishReason };
}

/** The first choice of a non-streaming completion, in the provider-neutral shape. */
export function openAICompletionToResult(completion: OpenAI.Chat.Completions.ChatCompletion): ProviderCompletion {
  const choice = completion.choices[0];
  const toolCalls: ProviderToolCall[] = [];
  for (const call of choice?.message.tool_calls ?? []) {
    if (call.type !== 'function') continue;
    toolCalls.push({ id: call.id, name: call.function.name, args: parseToolArgs(call.function.arguments) });
  }
  const refusal = choice?.message.refusal ?? '';
  return {
    text: choice?.message.content ?? '',
    ...(refusal === '' ? {} : { refusal }),
    toolCalls,
    usage: completion.usage ? toUsage(completion.usage) : { promptTokens: 0, completionTokens: 0, cachedPromptTokens: 0 },
    finishReason: refusal === '' ? toFinishReason(choice?.finish_reason) : 'content-filter',
  };
}
