import 'server-only';
import { partsOf, type MessagePart } from '../../protocol/parts';
import type { MessageRecord } from '../../protocol/records';
import { toolErrorText, type UiReplyMetadata } from './ui-chunks';

/** The parts of a `UIMessage` we write (the AI SDK's shapes: `ai`'s validateUIMessages accepts them). */
export type UiMessagePart =
  | { type: 'text'; text: string; state: 'done' }
  | { type: 'reasoning'; text: string; state: 'done'; providerMetadata?: { aiChat: { durationMs: number } } }
  | { type: 'file'; mediaType: string; filename: string; url: string }
  | { type: `tool-${string}`; toolCallId: string; state: 'input-available'; input: unknown }
  | { type: `tool-${string}`; toolCallId: string; state: 'output-available'; input: unknown; output: unknown }
  | { type: `tool-${string}`; toolCallId: string; state: 'output-error'; input: unknown; errorText: string };

export interface UiMessage {
  id: string;
  role: 'user' | 'assistant';
  parts: UiMessagePart[];
  metadata?: UiReplyMetadata;
}

/**
 * A branch of stored messages as the AI SDK's `UIMessage`s, ids ours (so a regenerate or an edit
 * names them): what `useChat({ messages })` opens a saved chat with. A file is named by its
 * route, `basePath/attachments/<id>`, which serves its bytes to its owner only.
 */
export function toUiMessages(branch: readonly MessageRecord[], basePath: string): UiMessage[] {
  return branch.flatMap((message) => {
    if (message.role !== 'user' && message.role !== 'assistant') return [];
    return [
      {
        id: message.id,
        role: message.role,
        parts: uiPartsOf(partsOf(message), basePath),
        ...(message.role === 'assistant' ? { metadata: replyMetadata(message) } : {}),
      },
    ];
  });
}

function uiPartsOf(parts: readonly MessagePart[], basePath: string): UiMessagePart[] {
  const results = new Map<string, unknown>();
  for (const part of parts) if (part.type === 'tool-result') results.set(part.id, part.result);
  const out: UiMessagePart[] = [];
  for (const part of parts) {
    switch (part.type) {
      case 'text':
      case 'refusal':
        out.push({ type: 'text', text: part.text, state: 'done' });
        break;
      case 'reasoning':
        out.push({
          type: 'reasoning',
          text: part.text,
          state: 'done',
          ...(part.durationMs === undefined ? {} : { providerMetadata: { aiChat: { durationMs: part.durationMs } } }),
        });
        break;
      case 'file':
        out.push({ type: 'file', mediaType: part.mediaType, filename: part.name, url: `${basePath}/attachments/${part.attachmentId}` });
        break;
      case 'tool-call':
        out.push(toolPart(part.id, part.name, part.args ?? {}, results));
        break;
      case 'tool-result':
        break;
    }
  }
  return out;
}

function toolPart(id: string, name: string, input: unknown, results: Map<string, unknown>): UiMessagePart {
  const type = `tool-${name}` as const;
  if (!results.has(id)) return { type, toolCallId: id, state: 'input-available', input };
  const output = results.get(id);
  const errorText = toolErrorText(output);
  if (errorText !== null) return { type, toolCallId: id, state: 'output-error', input, errorText };
  return { type, toolCallId: id, state: 'output-available', input, output };
}

function replyMetadata(message: MessageRecord): UiReplyMetadata {
  const meta = message.metadata;
  const number = (key: string) => (typeof meta[key] === 'number' ? (meta[key] as number) : undefined);
  const promptTokens = number('promptTokens');
  const completionTokens = number('completionTokens');
  const refusal = (message.parts ?? []).some((part) => part.type === 'refusal');
  const finishReason = typeof meta.finishReason === 'string' ? (meta.finishReason as UiReplyMetadata['finishReason']) : undefined;
  return {
    conversationId: message.conversationId,
    ...(message.parentId ? { userMessageId: message.parentId } : {}),
    ...(message.provider ? { provider: message.provider } : {}),
    ...(message.model ? { model: message.model } : {}),
    ...(promptTokens !== undefined && completionTokens !== undefined
      ? {
          usage: {
            promptTokens,
            completionTokens,
            totalTokens: promptTokens + completionTokens,
            ...(number('cachedPromptTokens') === undefined ? {} : { cachedPromptTokens: number('cachedPromptTokens') }),
            ...(number('cacheWriteTokens') === undefined ? {} : { cacheWriteTokens: number('cacheWriteTokens') }),
            ...(number('reasoningTokens') === undefined ? {} : { reasoningTokens: number('reasoningTokens') }),
          },
        }
      : {}),
    cost: message.cost,
    ...(finishReason ? { finishReason } : {}),
    ...(refusal ? { refusal: true } : {}),
    ...(message.status === 'partial' ? { stopped: true } : {}),
  };
}
