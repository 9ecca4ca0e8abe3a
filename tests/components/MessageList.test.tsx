// @vitest-environment jsdom
import { act, cleanup, render } from '@testing-library/react';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ChatMessageView } from '@/features/ai-chat/client/chat-message-view';
import { installLayoutStubs } from '../hooks/support/chat-backend';
import { messageView } from '../support/message-view';

// The real use-stick-to-bottom, with its scrollToBottom watched: jsdom has no layout to scroll.
const scrollToBottom = vi.fn(async () => true);
vi.mock('use-stick-to-bottom', async (importOriginal) => {
  const real = await importOriginal<typeof import('use-stick-to-bottom')>();
  return { ...real, useStickToBottomContext: () => ({ ...real.useStickToBottomContext(), scrollToBottom }) };
});

// The suite's workers are shared (isolate: false): a file before this one may have imported
// MessageList with the real module, and a static import would get that copy, unmocked. Imported
// afresh here, after the registry is emptied, it is built on the mock.
vi.resetModules();
const { ChatSession } = await import('@/features/ai-chat/client/chat-session');
const { MessageList } = await import('@/features/ai-chat/components/MessageList');

beforeAll(installLayoutStubs);
afterEach(cleanup);

const view = (key: string, role: 'user' | 'assistant', state: ChatMessageView['state']): ChatMessageView =>
  messageView({ key, id: key, role, state, content: state === 'pending' ? '' : key });

describe('MessageList', () => {
  it('sending scrolls to the bottom again, even when the reader had scrolled up', () => {
    const session = new ChatSession();
    session.messages.replaceAll([view('q1', 'user', 'complete'), view('a1', 'assistant', 'complete')]);
    render(<MessageList session={session} />);
    scrollToBottom.mockClear();

    act(() => session.messages.append([view('q2', 'user', 'pending'), view('a2', 'assistant', 'pending')]));
    expect(scrollToBottom).toHaveBeenCalledTimes(1);

    // A conversation opened (rows replaced, none pending) is not a send.
    act(() => session.messages.replaceAll([view('x1', 'user', 'complete'), view('x2', 'assistant', 'complete')]));
    expect(scrollToBottom).toHaveBeenCalledTimes(1);
  });
});
