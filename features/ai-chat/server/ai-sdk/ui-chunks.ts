import 'server-only';
import type { ChatEvent, ChatFinishReason } from '../../protocol/chat-events';

/**
 * The AI SDK's UI message stream (v1) chunks we send, as `ai`'s `uiMessageChunkSchema` defines
 * them (the schema is the authority; tests parse every chunk with it). Declared here rather than
 * imported, so the module does not depend on the `ai` package.
 */
export type UiFinishReason = 'stop' | 'length' | 'content-filter' | 'tool-calls' | 'error' | 'interrupted' | 'other';

/** What `message.metadata` holds for a reply of ours: merged from `start`, `message-metadata` and `finish`. */
export interface UiReplyMetadata {
  conversationId?: string;
  /** Our id of the question this reply answers (the client's copy has its own id). */
  userMessageId?: string;
  provider?: string;
  model?: string;
  usage?: {
    promptTokens: number;
    completionTokens: number;
    totalTokens: number;
    cachedPromptTokens?: number;
    cacheWriteTokens?: number;
    reasoningTokens?: number;
  };
  /** Dollars as a decimal string; null when the model has no known price. */
  cost?: string | null;
  finishReason?: ChatFinishReason;
  /** The reply is the model's refusal (its text is the refusal's). */
  refusal?: boolean;
  /** The reply was stopped (a Stop, or its time limit) and keeps what it had. */
  stopped?: boolean;
}

export type UiChunk =
  | { type: 'start'; messageId: string; messageMetadata: UiReplyMetadata }
  | { type: 'start-step' }
  | { type: 'finish-step' }
  | { type: 'text-start' | 'text-end' | 'reasoning-start'; id: string }
  | { type: 'reasoning-end'; id: string; providerMetadata?: { aiChat: { durationMs: number } } }
  | { type: 'text-delta' | 'reasoning-delta'; id: string; delta: string }
  | { type: 'tool-input-available'; toolCallId: string; toolName: string; input: unknown }
  | { type: 'tool-output-available'; toolCallId: string; output: unknown }
  | { type: 'tool-output-error'; toolCallId: string; errorText: string }
  | { type: 'tool-approval-request'; approvalId: string; toolCallId: string }
  | { type: 'tool-approval-response'; approvalId: string; approved: boolean; reason?: string }
  | { type: 'tool-output-denied'; toolCallId: string }
  | { type: 'message-metadata'; messageMetadata: UiReplyMetadata }
  | { type: 'data-retrying'; data: Extract<ChatEvent, { type: 'retrying' }>; transient: true }
  | { type: 'error'; errorText: string }
  | { type: 'abort'; reason: string }
  | { type: 'finish'; finishReason: UiFinishReason; messageMetadata: UiReplyMetadata };

type Streamed = { kind: 'text' | 'reasoning'; id: string };

/**
 * A translator from one reply's chat events to UI message chunks. Stateful (which text or
 * reasoning part is open, whether a tool result closed a step): one per response, fed the reply's
 * events from its start. Each event gives zero or more chunks; nothing is buffered.
 */
export function createUiChunkTranslator(): (event: ChatEvent) => UiChunk[] {
  let open: Streamed | null = null;
  let parts = 0;
  let stepOpen = false;
  let afterToolResult = false;
  let refused = false;
  let ended = false;
  // Calls the person denied: the model is told in a tool result of ours, the client sees denied.
  const denied = new Set<string>();

  const close = (out: UiChunk[]) => {
    if (open) out.push({ type: open.kind === 'text' ? 'text-end' : 'reasoning-end', id: open.id });
    open = null;
  };
  // A model call after tool results is a step of its own, as the AI SDK's tool loop marks it.
  const step = (out: UiChunk[]) => {
    if (stepOpen && !afterToolResult) return;
    close(out);
    if (stepOpen) out.push({ type: 'finish-step' });
    out.push({ type: 'start-step' });
    stepOpen = true;
    afterToolResult = false;
  };
  const stream = (out: UiChunk[], kind: Streamed['kind'], delta: string | null) => {
    step(out);
    if (open?.kind !== kind) {
      close(out);
      parts += 1;
      open = { kind, id: `${kind}-${parts}` };
      out.push({ type: kind === 'text' ? 'text-start' : 'reasoning-start', id: open.id });
    }
    if (delta !== null && delta !== '') out.push({ type: kind === 'text' ? 'text-delta' : 'reasoning-delta', id: open.id, delta });
  };
  const end = (out: UiChunk[]) => {
    close(out);
    if (stepOpen) out.push({ type: 'finish-step' });
    stepOpen = false;
    ended = true;
  };

  return (event) => {
    if (ended) return [];
    const out: UiChunk[] = [];
    switch (event.type) {
      case 'start':
        out.push({
          type: 'start',
          messageId: event.assistantMessageId,
          messageMetadata: {
            conversationId: event.conversationId,
            userMessageId: event.userMessageId,
            provider: event.provider,
            model: event.model,
          },
        });
        break;
      case 'retrying':
        out.push({ type: 'data-retrying', data: event, transient: true });
        break;
      case 'text-delta':
        stream(out, 'text', event.delta);
        break;
      case 'refusal-delta':
        // Shown as text the client can render; `finish` says content-filter.
        refused = true;
        stream(out, 'text', event.delta);
        break;
      case 'text-is-refusal':
        refused = true;
        break;
      case 'reasoning-start':
        step(out);
        close(out);
        stream(out, 'reasoning', null);
        break;
      case 'reasoning-delta':
        stream(out, 'reasoning', event.delta);
        break;
      case 'reasoning-end':
        if (open?.kind === 'reasoning') {
          out.push({ type: 'reasoning-end', id: open.id, providerMetadata: { aiChat: { durationMs: event.durationMs } } });
          open = null;
        }
        break;
      case 'tool-call':
        step(out);
        close(out);
        out.push({ type: 'tool-input-available', toolCallId: event.id, toolName: event.name, input: event.args ?? {} });
        break;
      case 'tool-approval-request':
        // The call itself went out as tool-input-available; `approvalId` is what the answer names
        // (POST {api}/replies/{messageId of start}/approvals/{approvalId}, docs/ai-sdk.md).
        out.push({ type: 'tool-approval-request', approvalId: event.approvalId, toolCallId: event.toolCallId });
        break;
      case 'tool-approval-response':
        out.push({ type: 'tool-approval-response', approvalId: event.approvalId, approved: event.approved, ...(event.reason ? { reason: event.reason } : {}) });
        if (!event.approved) {
          denied.add(event.toolCallId);
          out.push({ type: 'tool-output-denied', toolCallId: event.toolCallId });
        }
        break;
      case 'tool-result': {
        if (denied.has(event.id)) {
          // Its result is the words the model was told; the client already shows the denial.
          afterToolResult = true;
          break;
        }
        const errorText = toolErrorText(event.result);
        out.push(
          errorText === null
            ? { type: 'tool-output-available', toolCallId: event.id, output: event.result }
            : { type: 'tool-output-error', toolCallId: event.id, errorText },
        );
        afterToolResult = true;
        break;
      }
      case 'usage': {
        const { promptTokens, completionTokens, totalTokens, cachedPromptTokens, cacheWriteTokens, reasoningTokens, cost } = event;
        const usage = { promptTokens, completionTokens, totalTokens, cachedPromptTokens, cacheWriteTokens, reasoningTokens };
        out.push({ type: 'message-metadata', messageMetadata: { usage, cost } });
        break;
      }
      case 'finish':
        end(out);
        out.push({
          type: 'finish',
          finishReason: refused ? 'content-filter' : uiFinishReason(event.finishReason),
          messageMetadata: { finishReason: refused ? 'content-filter' : event.finishReason, ...(refused ? { refusal: true } : {}) },
        });
        break;
      case 'error':
        end(out);
        if (event.code === 'aborted') {
          // A Stop (or the time limit) keeps what was written: the reply ends, it did not fail.
          out.push({ type: 'abort', reason: event.message });
          out.push({ type: 'finish', finishReason: 'other', messageMetadata: { finishReason: 'aborted', stopped: true } });
        } else {
          out.push({ type: 'error', errorText: event.message });
        }
        break;
    }
    return out;
  };
}

function uiFinishReason(reason: ChatFinishReason): UiFinishReason {
  if (reason === 'aborted') return 'other';
  return reason;
}

/** A tool that failed returns `{ error }` to the model (server/turn/tools.ts): shown as the tool's error. */
export function toolErrorText(result: unknown): string | null {
  if (result === null || typeof result !== 'object' || Array.isArray(result)) return null;
  const keys = Object.keys(result);
  const error = (result as { error?: unknown }).error;
  return keys.length === 1 && typeof error === 'string' ? error : null;
}

/** One chunk as an SSE frame, as the AI SDK's JsonToSseTransformStream writes it. */
export function toUiSseFrame(chunk: UiChunk): string {
  return `data: ${JSON.stringify(chunk, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value))}\n\n`;
}

/** The stream's last frame. */
export const UI_DONE_FRAME = 'data: [DONE]\n\n';

/** The headers of a UI message stream response: the AI SDK's, plus our API security headers. */
export const UI_MESSAGE_STREAM_HEADER = { 'x-vercel-ai-ui-message-stream': 'v1' } as const;
