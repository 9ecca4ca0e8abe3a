import 'server-only';

import { parseApiKeys } from '../providers/api-keys';
import { createConfiguredOpenAIProvider, defaultOpenAIApi, OPENAI_APIS, type OpenAIApi } from '../providers/openai/configured-provider';
import { primeStream } from '../providers/prime-stream';
import { cachedProvider } from '../providers/provider-cache';
import { toSendMessageResult, type LegacyFunctionCall, type SendMessageResult } from '../providers/send-message-result';
import type {
  ProviderEvent,
  ProviderMessage,
  ProviderRequest,
  ProviderToolCall,
  ProviderToolChoice,
  ProviderToolSpec,
} from '../providers/types';

export type { SendMessageResult } from '../providers/send-message-result';

/** Chat messages in OpenAI's own shape, legacy `function` role included. */
export type OpenAIChatMessage =
  | { role: 'system' | 'developer'; content: string }
  | { role: 'user'; content: string }
  | {
      role: 'assistant';
      content: string | null;
      tool_calls?: Array<{ id: string; type?: 'function'; function: LegacyFunctionCall }>;
      function_call?: LegacyFunctionCall;
    }
  | { role: 'tool'; tool_call_id: string; content: string; name?: string }
  | { role: 'function'; name: string; content: string };

/** An entry of OpenAI's legacy `functions` parameter. */
export interface OpenAIFunctionSpec {
  name: string;
  description?: string;
  parameters?: Record<string, unknown>;
}

export interface SendOpenAIMessageOptions {
  messages: OpenAIChatMessage[];
  model: string;
  temperature?: number;
  /** The most the reply writes, reasoning included. */
  maxTokens?: number;
  /** Reasoning effort, or 'off' for the least the model allows. Default: the model's. */
  reasoning?: ProviderRequest['reasoning'];
  tools?: ProviderToolSpec[];
  toolChoice?: ProviderToolChoice;
  /** Legacy: mapped to `tools`. */
  functions?: OpenAIFunctionSpec[];
  /** Legacy: mapped to `toolChoice`. */
  functionCall?: 'auto' | 'none' | { name: string };
  stream?: boolean;
  signal?: AbortSignal;
  /** Default: OPENAI_API_KEY (comma-separated for several keys). */
  apiKey?: string | string[];
  /** Default: OPENAI_BASE_URL, else the public API. */
  baseURL?: string;
  /** Default: OPENAI_API, else Responses for the public API and Chat Completions behind a base URL. */
  api?: OpenAIApi;
  maxRetries?: number;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

function parseArguments(json: string): unknown {
  try {
    return JSON.parse(json) as unknown;
  } catch {
    return json;
  }
}

/**
 * OpenAI-shaped history to provider messages. Legacy `function_call`s carry no id, so each gets a
 * synthetic one that the next `function` result of the same name answers.
 */
export function toProviderConversation(messages: readonly OpenAIChatMessage[]): Pick<ProviderRequest, 'system' | 'messages'> {
  const system: string[] = [];
  const out: ProviderMessage[] = [];
  const legacyIds = new Map<string, string[]>();
  const toolNames = new Map<string, string>();
  for (const message of messages) {
    switch (message.role) {
      case 'system':
      case 'developer':
        system.push(message.content);
        break;
      case 'user':
        out.push({ role: 'user', content: message.content });
        break;
      case 'assistant': {
        const toolCalls: ProviderToolCall[] = (message.tool_calls ?? []).map((call) => ({
          id: call.id,
          name: call.function.name,
          args: parseArguments(call.function.arguments),
        }));
        if (message.function_call) {
          const id = `call_legacy_${out.length}`;
          legacyIds.set(message.function_call.name, [...(legacyIds.get(message.function_call.name) ?? []), id]);
          toolCalls.push({ id, name: message.function_call.name, args: parseArguments(message.function_call.arguments) });
        }
        for (const call of toolCalls) toolNames.set(call.id, call.name);
        out.push({ role: 'assistant', content: message.content ?? '', ...(toolCalls.length ? { toolCalls } : {}) });
        break;
      }
      case 'tool':
        out.push({
          role: 'tool',
          toolCallId: message.tool_call_id,
          name: message.name ?? toolNames.get(message.tool_call_id) ?? '',
          content: message.content,
        });
        break;
      case 'function': {
        const id = legacyIds.get(message.name)?.shift() ?? `call_legacy_${out.length}`;
        out.push({ role: 'tool', toolCallId: id, name: message.name, content: message.content });
        break;
      }
    }
  }
  return { ...(system.length ? { system: system.join('\n\n') } : {}), messages: out };
}

function apiFromEnv(): OpenAIApi | undefined {
  const value = process.env.OPENAI_API?.trim();
  return OPENAI_APIS.find((api) => api === value);
}

function toolsOf(options: SendOpenAIMessageOptions): Pick<ProviderRequest, 'tools' | 'toolChoice'> {
  const tools = [
    ...(options.tools ?? []),
    ...(options.functions ?? []).map((fn) => ({
      name: fn.name,
      ...(fn.description === undefined ? {} : { description: fn.description }),
      parameters: fn.parameters ?? { type: 'object', properties: {} },
    })),
  ];
  const toolChoice = options.toolChoice ?? options.functionCall;
  return { ...(tools.length ? { tools } : {}), ...(toolChoice === undefined ? {} : { toolChoice }) };
}

/**
 * Sends a chat to OpenAI (Responses API) or any Chat Completions compatible server. With `stream: true` it
 * resolves once the first event arrived, so auth and rate-limit failures reject here; otherwise it
 * resolves to the whole reply. Fails with ChatError only.
 */
export function sendOpenAIMessage(options: SendOpenAIMessageOptions & { stream: true }): Promise<AsyncIterable<ProviderEvent>>;
export function sendOpenAIMessage(options: SendOpenAIMessageOptions & { stream?: false }): Promise<SendMessageResult>;
export function sendOpenAIMessage(options: SendOpenAIMessageOptions): Promise<AsyncIterable<ProviderEvent> | SendMessageResult>;
export async function sendOpenAIMessage(
  options: SendOpenAIMessageOptions,
): Promise<AsyncIterable<ProviderEvent> | SendMessageResult> {
  const baseURL = options.baseURL ?? (process.env.OPENAI_BASE_URL || undefined);
  const api = options.api ?? apiFromEnv() ?? defaultOpenAIApi(baseURL);
  const provider = cachedProvider(
    `openai:${api}`,
    {
      apiKeys: parseApiKeys(options.apiKey ?? process.env.OPENAI_API_KEY),
      baseURL,
      maxRetries: options.maxRetries,
      timeoutMs: options.timeoutMs,
      fetch: options.fetch,
    },
    (client) => createConfiguredOpenAIProvider({ ...client, api }),
  );
  const request: ProviderRequest = {
    model: options.model,
    ...toProviderConversation(options.messages),
    ...toolsOf(options),
    temperature: options.temperature,
    maxTokens: options.maxTokens,
    ...(options.reasoning ? { reasoning: options.reasoning } : {}),
    signal: options.signal,
  };
  if (options.stream) return primeStream(provider.stream(request));
  return toSendMessageResult(await provider.complete(request), options.model);
}

