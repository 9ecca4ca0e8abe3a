// @vitest-environment jsdom
import { cleanup, act, renderHook } from '@testing-library/react';
import { afterEach, afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useChat } from '@/features/ai-chat/hooks/useChat';
import { useConversationBranching } from '@/features/ai-chat/hooks/useConversationBranching';
import { startChatBackend, type ChatBackend } from './support/chat-backend';

afterEach(cleanup);

let backend: ChatBackend;
beforeAll(async () => {
  backend = await startChatBackend();
});
afterAll(async () => {
  await backend?.close();
});

describe('useConversationBranching', () => {
  it('createBranch posts a new message beside an existing one; switchBranch shows the other branch again', async () => {
    backend.harness.openai.script({ text: 'Cats purr.' }, { text: 'Dogs bark.' });
    const chat = renderHook(() => useChat());
    await act(() => chat.result.current.sendMessage('Tell me about cats'));
    const conversationId = chat.result.current.conversationId!;
    const original = chat.result.current.messages[0]!;

    const { result } = renderHook(() => useConversationBranching('ignored-user-id'));
    let branch!: Awaited<ReturnType<typeof result.current.createBranch>>;
    await act(async () => {
      branch = await result.current.createBranch({ conversationId, fromMessageId: null, newMessage: 'Tell me about dogs' });
    });
    expect(branch.reply).toBe('Dogs bark.');
    expect(result.current.error).toBeNull();

    const other = renderHook(() => useChat({ conversationId }));
    await act(() => other.result.current.session.load(conversationId));
    expect(other.result.current.messages.map((m) => m.content)).toEqual(['Tell me about dogs', 'Dogs bark.']);
    expect(other.result.current.messages[0]!.siblingIds).toEqual([original.id, branch.userMessageId]);

    await act(() => result.current.switchBranch({ conversationId, messageId: original.id }));
    await act(() => other.result.current.session.load(conversationId));
    expect(other.result.current.messages.map((m) => m.content)).toEqual(['Tell me about cats', 'Cats purr.']);
  });
});
