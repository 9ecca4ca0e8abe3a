// @vitest-environment jsdom
import { act, cleanup, render, screen, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ChatSession } from '@/features/ai-chat/client/chat-session';
import { viewFromRecord } from '@/features/ai-chat/client/chat-message-view';
import { MessageList } from '@/features/ai-chat/components/MessageList';
import type { MessageRecord } from '@/features/ai-chat/protocol/records';

/** An IntersectionObserver the test drives: it reports an element near only when told to. */
class ControlledObserver {
  static instances: ControlledObserver[] = [];
  readonly targets: Element[] = [];
  constructor(private readonly callback: IntersectionObserverCallback) {
    ControlledObserver.instances.push(this);
  }
  observe(target: Element) {
    this.targets.push(target);
  }
  unobserve() {}
  disconnect() {
    this.targets.length = 0;
  }
  takeRecords() {
    return [];
  }
  /** Tells every observer watching an element inside `container` that it is near. */
  static bringNear(container: Element) {
    for (const observer of ControlledObserver.instances) {
      const entries = observer.targets
        .filter((target) => container.contains(target))
        .map((target) => ({ target, isIntersecting: true }) as IntersectionObserverEntry);
      if (entries.length > 0) observer.callback(entries, observer as unknown as IntersectionObserver);
    }
  }
}

beforeEach(() => {
  // jsdom has no layout: use-stick-to-bottom needs these to exist.
  globalThis.ResizeObserver ??= class {
    observe() {}
    unobserve() {}
    disconnect() {}
  } as unknown as typeof ResizeObserver;
  Element.prototype.scrollTo ??= function scrollTo() {};
  ControlledObserver.instances = [];
  vi.stubGlobal('IntersectionObserver', ControlledObserver);
});
afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const id = (i: number) => `00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;

function sessionWith(count: number): ChatSession {
  const session = new ChatSession();
  const records: MessageRecord[] = Array.from({ length: count }, (_, i) => ({
    id: id(i),
    conversationId: '00000000-0000-4000-8000-00000000c0de',
    parentId: i === 0 ? null : id(i - 1),
    role: i % 2 === 0 ? 'user' : 'assistant',
    content: i % 2 === 0 ? `Question ${i}` : `Answer ${i} is **bold**`,
    status: 'complete',
    provider: null,
    model: null,
    tokens: null,
    cost: null,
    toolCalls: null,
    toolResults: null,
    metadata: {},
    createdAt: '2026-01-01T00:00:00.000Z',
  }));
  session.messages.replaceAll(records.map((record) => viewFromRecord(record)));
  return session;
}

const frames = (count: number) =>
  act(async () => {
    for (let i = 0; i < count; i++) await new Promise((resolve) => requestAnimationFrame(resolve));
  });

describe('MessageList opening a long conversation', () => {
  it('shows every message, renders the last ones in full and the far ones as their text until they near the screen', async () => {
    render(<MessageList session={sessionWith(100)} />);
    const log = screen.getByRole('log');
    const articles = within(log).getAllByRole('article');
    expect(articles).toHaveLength(100);

    // The end of the conversation, what the reader sees first: markdown and actions.
    expect(articles[99]!.querySelector('strong')?.textContent).toBe('bold');
    expect(within(articles[99]!).getByRole('button', { name: 'Copy message' })).toBeTruthy();
    // The start: the same words, unparsed, no actions yet.
    expect(articles[1]!.textContent).toContain('Answer 1 is **bold**');
    expect(articles[1]!.querySelector('strong')).toBeNull();
    expect(within(articles[1]!).queryByRole('button', { name: 'Copy message' })).toBeNull();

    await frames(4); // watching starts once the list has been scrolled to its end
    act(() => ControlledObserver.bringNear(articles[1]!.closest('[role="log"] > [role="none"]')!));

    const first = within(log).getAllByRole('article')[1]!;
    expect(first.querySelector('strong')?.textContent).toBe('bold');
    expect(within(first).getByRole('button', { name: 'Copy message' })).toBeTruthy();
    // Only that group: rows further down still wait.
    expect(within(log).getAllByRole('article')[51]!.querySelector('strong')).toBeNull();

    // In the last group, the rows above the last few wait for themselves, one by one.
    const waiting = within(log).getAllByRole('article')[89]!;
    expect(waiting.querySelector('strong')).toBeNull();
    act(() => ControlledObserver.bringNear(waiting.closest('[aria-live="off"]')!));
    expect(within(log).getAllByRole('article')[89]!.querySelector('strong')?.textContent).toBe('bold');
    expect(within(log).getAllByRole('article')[87]!.querySelector('strong')).toBeNull();
  });

  it('renders everything in full where there is no IntersectionObserver', async () => {
    vi.stubGlobal('IntersectionObserver', undefined);
    render(<MessageList session={sessionWith(60)} />);
    await frames(1);
    const articles = within(screen.getByRole('log')).getAllByRole('article');
    expect(articles.filter((article) => article.querySelector('strong'))).toHaveLength(30);
  });

  it('old rows rendered in full as they near the screen are not read out again; a new message is', async () => {
    const session = sessionWith(100);
    render(<MessageList session={session} />);
    const log = screen.getByRole('log');
    await frames(4);
    const old = within(log).getAllByRole('article')[1]!;
    act(() => ControlledObserver.bringNear(old.closest('[role="log"] > [role="none"]')!));
    // The screen reader's live region (the log) stays quiet about history turning into markdown.
    expect(within(log).getAllByRole('article')[1]!.closest('[aria-live]')?.getAttribute('aria-live')).toBe('off');
    // The end of the conversation and anything that arrives later speak as the log does.
    expect(within(log).getAllByRole('article')[99]!.closest('[aria-live]')).toBe(log.closest('[aria-live]'));
  });
});
