// @vitest-environment jsdom
import { describe, expect, it, vi } from 'vitest';
import type { ChatMessageView } from '@/features/ai-chat/client/chat-message-view';
import { MessageStore } from '@/features/ai-chat/client/message-store';
import { messageView } from '../support/message-view';

const view = (key: string, content = key): ChatMessageView => messageView({ key, id: key, content });

describe('MessageStore', () => {
  it('applies streamed text once per frame and tells only that row', async () => {
    const store = new MessageStore();
    store.replaceAll([view('a'), view('b', '')]);
    const a = vi.fn();
    const b = vi.fn();
    const keys = vi.fn();
    store.subscribeMessage('a', a);
    store.subscribeMessage('b', b);
    store.subscribeKeys(keys);

    for (const word of ['one ', 'two ', 'three']) store.appendText('b', word);
    expect(store.getMessage('b')!.content).toBe('');
    await new Promise((resolve) => requestAnimationFrame(() => resolve(undefined)));
    await new Promise((resolve) => setTimeout(resolve, 0));

    expect(store.getMessage('b')!.content).toBe('one two three');
    expect(b).toHaveBeenCalledTimes(1);
    expect(a).not.toHaveBeenCalled();
    expect(keys).not.toHaveBeenCalled();
  });

  it('reasoning, answer and refusal deltas of one frame land in their own parts, in order, once', async () => {
    const store = new MessageStore();
    store.replaceAll([{ ...view('r', ''), provider: 'openai' }]);
    const row = vi.fn();
    store.subscribeMessage('r', row);

    store.appendStreamed('r', 'reasoning', 'Let me ');
    store.appendStreamed('r', 'reasoning', 'see.');
    store.appendText('r', 'Yes, ');
    store.appendText('r', 'mostly.');
    store.appendStreamed('r', 'refusal', 'Not the rest.');
    await new Promise((resolve) => requestAnimationFrame(() => resolve(undefined)));
    await new Promise((resolve) => setTimeout(resolve, 0));

    const message = store.getMessage('r')!;
    expect(message.content).toBe('Yes, mostly.');
    expect(message.parts).toEqual([
      { type: 'reasoning', text: 'Let me see.', provider: 'openai' },
      { type: 'text', text: 'Yes, mostly.' },
      { type: 'refusal', text: 'Not the rest.' },
    ]);
    expect(row).toHaveBeenCalledTimes(1);
  });

  it('keeps the object of every message a reload did not change', () => {
    const store = new MessageStore();
    store.replaceAll([view('a'), view('b')]);
    const [a, b] = store.getMessages();
    store.replaceAll([view('a'), view('b', 'changed'), view('c')]);
    const [a2, b2, c2] = store.getMessages();
    expect(a2).toBe(a);
    expect(b2).not.toBe(b);
    expect(c2?.content).toBe('c');
  });

  it('flushes pending text before any other change, so nothing is lost or reordered', () => {
    const store = new MessageStore();
    store.replaceAll([view('a', '')]);
    store.appendText('a', 'partial');
    store.update('a', { state: 'partial' });
    expect(store.getMessage('a')).toMatchObject({ content: 'partial', state: 'partial' });
  });
});
