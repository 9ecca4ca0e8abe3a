// @vitest-environment jsdom
import { act, cleanup, renderHook, waitFor } from '@testing-library/react';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { useChat, type AttachmentRecord } from '@/features/ai-chat/hooks/useChat';
import type { ChatEvent } from '@/features/ai-chat/protocol/chat-events';
import { startChatBackend, type ChatBackend } from './support/chat-backend';
import { scriptNextChat, startEvent } from './support/scripted-chat';

afterEach(cleanup);

let backend: ChatBackend;
beforeAll(async () => {
  backend = await startChatBackend();
});
afterAll(async () => {
  await backend?.close();
});
beforeEach(() => backend.server.resetHandlers());

function answered(...middle: ChatEvent[]): ChatEvent[] {
  const start = startEvent() as Extract<ChatEvent, { type: 'start' }>;
  return [start, ...middle, { type: 'finish', messageId: start.assistantMessageId, finishReason: 'stop' }];
}

const photo: AttachmentRecord = { id: crypto.randomUUID(), mediaType: 'image/jpeg', name: 'photo.jpg', size: 2048 };

describe('useChat with message parts', () => {
  it('sendMessage(text) sends the text alone, as it always did', async () => {
    const chat = scriptNextChat(backend, answered({ type: 'text-delta', delta: 'Hi.' }));
    const { result } = renderHook(() => useChat());
    await act(() => result.current.sendMessage('Hello'));
    expect(chat.bodies[0]).toMatchObject({ message: 'Hello' });
    expect(chat.bodies[0]).not.toHaveProperty('attachments');
  });

  it('sendMessage(text, { attachments }) sends their ids, and the question holds them as file parts before the text', async () => {
    const chat = scriptNextChat(backend, answered({ type: 'text-delta', delta: 'A dog.' }));
    const { result } = renderHook(() => useChat());
    await act(() => result.current.sendMessage('What is this?', { attachments: [photo] }));
    expect(chat.bodies[0]).toMatchObject({ message: 'What is this?', attachments: [photo.id] });
    expect(result.current.messages[0]!.parts).toEqual([
      { type: 'file', attachmentId: photo.id, mediaType: 'image/jpeg', name: 'photo.jpg', size: 2048 },
      { type: 'text', text: 'What is this?' },
    ]);
  });

  it('a message may be files only; an empty message without files is not sent', async () => {
    const chat = scriptNextChat(backend, answered({ type: 'text-delta', delta: 'A photo.' }));
    const { result } = renderHook(() => useChat());
    await act(() => result.current.sendMessage('   '));
    expect(chat.bodies).toHaveLength(0);
    await act(() => result.current.sendMessage('', { attachments: [photo] }));
    expect(chat.bodies[0]).toEqual(expect.objectContaining({ attachments: [photo.id] }));
    expect(chat.bodies[0]).not.toHaveProperty('message');
  });

  it('editing a question that carried files sends the files again with the new text', async () => {
    const { LOCAL_USER } = await import('@/features/ai-chat/store/embedded/embedded-chat-store');
    const user = await backend.harness.store.forUser(LOCAL_USER.id);
    const conversation = await user.createConversation({ title: 'With a photo', provider: 'openai', model: 'gpt-5-mini' });
    const question = await user.appendMessage({
      conversationId: conversation.id,
      parentId: null,
      role: 'user',
      content: 'What breed?',
      parts: [
        { type: 'file', attachmentId: photo.id, mediaType: 'image/jpeg', name: 'photo.jpg', size: 2048 },
        { type: 'text', text: 'What breed?' },
      ],
    });
    const { result } = renderHook(() => useChat({ conversationId: conversation.id }));
    await waitFor(() => expect(result.current.messages).toHaveLength(1));

    const chat = scriptNextChat(backend, answered({ type: 'text-delta', delta: 'A beagle.' }));
    await act(() => result.current.editMessage(question.id, 'Which breed is it?'));
    expect(chat.bodies[0]).toMatchObject({ message: 'Which breed is it?', attachments: [photo.id], parentMessageId: null });
  });

  it('the reply holds its reasoning, answer and refusal as parts in stream order, reasoning apart from the content', async () => {
    scriptNextChat(
      backend,
      answered(
        { type: 'reasoning-start' },
        { type: 'reasoning-delta', delta: 'Think ' },
        { type: 'reasoning-delta', delta: 'hard.' },
        { type: 'reasoning-end', durationMs: 1500 },
        { type: 'text-delta', delta: 'Partly ' },
        { type: 'text-delta', delta: 'yes.' },
        { type: 'refusal-delta', delta: 'But not that.' },
        { type: 'usage', promptTokens: 900, completionTokens: 30, totalTokens: 930, cost: null, cachedPromptTokens: 800 },
      ),
    );
    const { result } = renderHook(() => useChat());
    await act(() => result.current.sendMessage('Question'));
    const reply = result.current.messages[1]!;
    expect(reply.content).toBe('Partly yes.');
    expect(reply.thinkingSince).toBeNull();
    expect(reply.cachedPromptTokens).toBe(800);
    expect(reply.finishReason).toBe('stop');
    expect(reply.parts).toEqual([
      { type: 'reasoning', text: 'Think hard.', provider: 'anthropic', durationMs: 1500 },
      { type: 'text', text: 'Partly yes.' },
      { type: 'refusal', text: 'But not that.' },
    ]);
  });

  it('thinking that ends without reasoning-end (the answer begins) still gets a duration', async () => {
    scriptNextChat(
      backend,
      answered({ type: 'reasoning-start' }, { type: 'reasoning-delta', delta: 'Hmm.' }, { type: 'text-delta', delta: 'Done.' }),
    );
    const { result } = renderHook(() => useChat());
    await act(() => result.current.sendMessage('Question'));
    const reasoning = result.current.messages[1]!.parts[0]!;
    expect(reasoning).toMatchObject({ type: 'reasoning', text: 'Hmm.' });
    expect(typeof (reasoning as { durationMs?: number }).durationMs).toBe('number');
    expect(result.current.messages[1]!.thinkingSince).toBeNull();
  });
});
