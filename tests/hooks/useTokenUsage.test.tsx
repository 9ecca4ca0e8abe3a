// @vitest-environment jsdom
import { cleanup, act, renderHook, waitFor } from '@testing-library/react';
import { afterEach, afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useChat } from '@/features/ai-chat/hooks/useChat';
import { useTokenUsage } from '@/features/ai-chat/hooks/useTokenUsage';
import { startChatBackend, type ChatBackend } from './support/chat-backend';

afterEach(cleanup);

let backend: ChatBackend;
beforeAll(async () => {
  backend = await startChatBackend({ limits: { maxTokensPerDay: 10_000, maxCostPerMonth: '5' } });
});
afterAll(async () => {
  await backend?.close();
});

describe('useTokenUsage', () => {
  it('reports what replies used and what is left under the limits', async () => {
    const { result } = renderHook(() => useTokenUsage('ignored-user-id'));
    await waitFor(() => expect(result.current.loading).toBe(false));
    expect(result.current).toMatchObject({ totalTokens: 0, messagesCount: 0, cost: expect.stringMatching(/^0(\.0+)?$/) });
    expect(result.current.limits).toMatchObject({ maxTokensPerDay: 10_000 });

    backend.harness.openai.script({ text: 'Counted.', usage: { promptTokens: 30, completionTokens: 12 } });
    const chat = renderHook(() => useChat());
    await act(() => chat.result.current.sendMessage('Count me'));
    expect(chat.result.current.messages[1]!.tokens).toBe(12);

    await act(() => result.current.refresh());
    expect(result.current.totalTokens).toBe(42);
    expect(result.current.tokensToday).toBe(42);
    expect(result.current.messagesCount).toBe(1);
    expect(Number(result.current.cost)).toBeGreaterThan(0);
    expect(result.current.remaining?.tokensToday).toBe(10_000 - 42);
    expect(result.current).toMatchObject({ tokensInProgress: 0, costInProgress: expect.stringMatching(/^0(\.0+)?$/) });
  });
});
