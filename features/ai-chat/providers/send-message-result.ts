import 'server-only';

import type { FinishReason, ProviderCompletion, ProviderToolCall, ProviderUsage } from './types';

/** The legacy OpenAI `function_call` shape: arguments as a JSON string. */
export interface LegacyFunctionCall {
  name: string;
  arguments: string;
}

/** What the non-streaming sendOpenAIMessage / sendClaudeMessage resolve to. */
export interface SendMessageResult {
  content: string;
  /** What the model said instead of answering (an OpenAI refusal); `content` is then empty. */
  refusal?: string;
  toolCalls: ProviderToolCall[];
  /** The first tool call, for callers written against OpenAI's functions API. */
  functionCall?: LegacyFunctionCall;
  /** Same as functionCall, under the wire name the original spec's callers read. */
  function_call?: LegacyFunctionCall;
  usage: ProviderUsage;
  finishReason: FinishReason;
  model: string;
}

export function toSendMessageResult(completion: ProviderCompletion, model: string): SendMessageResult {
  const first = completion.toolCalls[0];
  const functionCall =
    first === undefined
      ? undefined
      : { name: first.name, arguments: typeof first.args === 'string' ? first.args : JSON.stringify(first.args) };
  return {
    content: completion.text,
    ...(completion.refusal ? { refusal: completion.refusal } : {}),
    toolCalls: completion.toolCalls,
    ...(functionCall ? { functionCall, function_call: functionCall } : {}),
    usage: completion.usage,
    finishReason: completion.finishReason,
    model,
  };
}
