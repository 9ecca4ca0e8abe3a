import 'server-only';

import { createAnthropicProvider } from '../providers/anthropic/provider';
import { parseApiKeys } from '../providers/api-keys';
import { primeStream } from '../providers/prime-stream';
import { cachedProvider } from '../providers/provider-cache';
import { toSendMessageResult, type SendMessageResult } from '../providers/send-message-result';
import type { ProviderEvent, ProviderMessage, ProviderRequest, ProviderToolChoice, ProviderToolSpec } from '../providers/types';

export type { SendMessageResult } from '../providers/send-message-result';

/** Provider messages, plus `system` entries for callers that keep the prompt in the list. */
export type ClaudeChatMessage = ProviderMessage | { role: 'system'; content: string };

export interface SendClaudeMessageOptions {
  messages: ClaudeChatMessage[];
  system?: string;
  model: string;
  /** Accepted for the original API, not sent: the installed Messages API no longer takes it. */
  temperature?: number;
  /** The most the reply writes, thinking included. Default 4096 plus the thinking's room (Anthropic requires a limit). */
  maxTokens?: number;
  /** Thinking effort, or 'off' for none. Default: the model's. */
  reasoning?: ProviderRequest['reasoning'];
  tools?: ProviderToolSpec[];
  toolChoice?: ProviderToolChoice;
  stream?: boolean;
  signal?: AbortSignal;
  /** Default: ANTHROPIC_API_KEY (comma-separated for several keys). */
  apiKey?: string | string[];
  /** Default: ANTHROPIC_BASE_URL, else the public API. */
  baseURL?: string;
  maxRetries?: number;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

function splitSystem(options: SendClaudeMessageOptions): Pick<ProviderRequest, 'system' | 'messages'> {
  const system = options.system ? [options.system] : [];
  const messages: ProviderMessage[] = [];
  for (const message of options.messages) {
    if (message.role === 'system') system.push(message.content);
    else messages.push(message);
  }
  return { ...(system.length ? { system: system.join('\n\n') } : {}), messages };
}

/**
 * Sends a chat to Claude. With `stream: true` it resolves once the first event arrived, so auth
 * and rate-limit failures reject here; otherwise it resolves to the whole reply. Fails with
 * ChatError only.
 */
export function sendClaudeMessage(options: SendClaudeMessageOptions & { stream: true }): Promise<AsyncIterable<ProviderEvent>>;
export function sendClaudeMessage(options: SendClaudeMessageOptions & { stream?: false }): Promise<SendMessageResult>;
export function sendClaudeMessage(options: SendClaudeMessageOptions): Promise<AsyncIterable<ProviderEvent> | SendMessageResult>;
export async function sendClaudeMessage(
  options: SendClaudeMessageOptions,
): Promise<AsyncIterable<ProviderEvent> | SendMessageResult> {
  const provider = cachedProvider(
    'anthropic',
    {
      apiKeys: parseApiKeys(options.apiKey ?? process.env.ANTHROPIC_API_KEY),
      baseURL: options.baseURL ?? (process.env.ANTHROPIC_BASE_URL || undefined),
      maxRetries: options.maxRetries,
      timeoutMs: options.timeoutMs,
      fetch: options.fetch,
    },
    createAnthropicProvider,
  );
  const request: ProviderRequest = {
    model: options.model,
    ...splitSystem(options),
    tools: options.tools,
    toolChoice: options.toolChoice,
    temperature: options.temperature,
    maxTokens: options.maxTokens,
    ...(options.reasoning ? { reasoning: options.reasoning } : {}),
    signal: options.signal,
  };
  if (options.stream) return primeStream(provider.stream(request));
  return toSendMessageResult(await provider.complete(request), options.model);
}
