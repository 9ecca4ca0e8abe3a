import { describe, expect, it, vi } from 'vitest';
import type { ChatStore } from '@/features/ai-chat/store/chat-store';
import { lazyChatStore } from '@/features/ai-chat/store/lazy-chat-store';

function fakeStore(): ChatStore {
  return {
    forRequest: vi.fn(async () => null),
    forUser: vi.fn(async (userId: string) => ({ userId }) as never),
    replies: { sweep: vi.fn(async () => ['r1']) } as unknown as ChatStore['replies'],
    close: vi.fn(async () => undefined),
  };
}

describe('a store chosen by the environment', () => {
  it('loads its driver on first use only, once, however many calls race for it', async () => {
    const inner = fakeStore();
    const load = vi.fn(async () => inner);
    const store = lazyChatStore(load, { actsAsUser: true });
    expect(load).not.toHaveBeenCalled();

    await Promise.all([store.forRequest(new Request('http://localhost/')), store.forUser!('u1'), store.replies.sweep(30)]);
    expect(load).toHaveBeenCalledTimes(1);
    expect(await store.replies.sweep(30)).toEqual(['r1']);
  });

  it('tries again after a driver failed to open, and a store never opened closes without loading', async () => {
    const load = vi.fn<() => Promise<ChatStore>>().mockRejectedValueOnce(new Error('connection refused')).mockResolvedValue(fakeStore());
    const store = lazyChatStore(load, { actsAsUser: false });
    expect(store.forUser).toBeUndefined();
    await expect(store.forRequest(new Request('http://localhost/'))).rejects.toThrow('connection refused');
    await expect(store.forRequest(new Request('http://localhost/'))).resolves.toBeNull();
    expect(load).toHaveBeenCalledTimes(2);

    const unused = vi.fn(async () => fakeStore());
    await lazyChatStore(unused, { actsAsUser: true }).close();
    expect(unused).not.toHaveBeenCalled();
  });
});
