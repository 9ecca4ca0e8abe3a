// @vitest-environment jsdom
import { cleanup, act, renderHook, waitFor } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { afterEach, afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { useConversations } from '@/features/ai-chat/hooks/useConversations';
import { seedConversation, startChatBackend, type ChatBackend } from './support/chat-backend';

afterEach(cleanup);

let backend: ChatBackend;
beforeAll(async () => {
  backend = await startChatBackend();
});
afterAll(async () => {
  await backend?.close();
});
beforeEach(() => backend.server.resetHandlers());

describe('useConversations', () => {
  it('lists, creates, renames and deletes conversations on the server', async () => {
    const seeded = await seedConversation(backend, 2);
    const { result } = renderHook(() => useConversations('ignored-user-id'));
    await waitFor(() => expect(result.current.loading).toBe(false));
    expect(result.current.conversations.map((c) => c.id)).toContain(seeded);

    let createdId = '';
    await act(async () => {
      createdId = (await result.current.createConversation({ title: 'Trip plans' })).id;
    });
    expect(result.current.conversations[0]).toMatchObject({ id: createdId, title: 'Trip plans' });

    await act(async () => {
      expect(await result.current.renameConversation(createdId, 'Holiday plans')).toBe(true);
    });
    expect(result.current.conversations.find((c) => c.id === createdId)?.title).toBe('Holiday plans');

    await act(async () => {
      expect(await result.current.deleteConversation(seeded)).toBe(true);
    });
    expect(result.current.conversations.some((c) => c.id === seeded)).toBe(false);

    await act(() => result.current.refresh());
    expect(result.current.conversations.find((c) => c.id === createdId)?.title).toBe('Holiday plans');
    expect(result.current.conversations.some((c) => c.id === seeded)).toBe(false);
  });

  it('removes a conversation at once and puts it back when the server refuses', async () => {
    const seeded = await seedConversation(backend, 2);
    const { result } = renderHook(() => useConversations());
    await waitFor(() => expect(result.current.conversations.some((c) => c.id === seeded)).toBe(true));
    const before = result.current.conversations.map((c) => c.id);

    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    backend.server.use(
      http.delete(`${backend.base}/conversations/:id`, async () => {
        await gate;
        return HttpResponse.json({ error: { code: 'internal', message: 'Could not delete the conversation.' } }, { status: 500 });
      }),
    );

    let deleting!: Promise<boolean>;
    act(() => {
      deleting = result.current.deleteConversation(seeded);
    });
    await waitFor(() => expect(result.current.conversations.some((c) => c.id === seeded)).toBe(false));
    release();
    await act(async () => {
      expect(await deleting).toBe(false);
    });
    expect(result.current.conversations.map((c) => c.id)).toEqual(before);
    expect(result.current.error?.message).toBe('Could not delete the conversation.');
  });

  it('keeps the old title when a rename is refused', async () => {
    const seeded = await seedConversation(backend, 2);
    const { result } = renderHook(() => useConversations());
    await waitFor(() => expect(result.current.conversations.some((c) => c.id === seeded)).toBe(true));
    backend.server.use(
      http.patch(`${backend.base}/conversations/:id`, () =>
        HttpResponse.json({ error: { code: 'bad_request', message: 'That title is too long.' } }, { status: 400 }),
      ),
    );
    await act(async () => {
      expect(await result.current.renameConversation(seeded, 'x'.repeat(10))).toBe(false);
    });
    expect(result.current.conversations.find((c) => c.id === seeded)?.title).toBe('Seeded 2');
    expect(result.current.error?.code).toBe('bad_request');
  });
});
