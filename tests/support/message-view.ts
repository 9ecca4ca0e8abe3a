import type { ChatMessageView } from '@/features/ai-chat/client/chat-message-view';

/** A finished assistant message as the client shows it, with `overrides` on top: a row for the list and store tests. */
export function messageView(overrides: Partial<ChatMessageView> = {}): ChatMessageView {
  return {
    key: 'a1',
    id: 'a1',
    parentId: null,
    role: 'assistant',
    content: 'The reply, in plain words.',
    parts: [],
    thinkingSince: null,
    finishReason: null,
    cachedPromptTokens: null,
    state: 'complete',
    createdAt: '2026-01-01T00:00:00.000Z',
    provider: null,
    model: null,
    tokens: null,
    cost: null,
    tools: [],
    siblingIds: [],
    error: null,
    retrying: null,
    reconnecting: false,
    notice: null,
    ...overrides,
  };
}
