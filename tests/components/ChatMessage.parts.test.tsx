// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ChatMessage } from '@/features/ai-chat/components/ChatMessage';

afterEach(cleanup);

describe('ChatMessage with parts', () => {
  it('a redacted thinking block says how long it took and why there is nothing to open', () => {
    render(
      <ChatMessage
        role="assistant"
        content="Answer."
        parts={[
          { type: 'reasoning', text: '', provider: 'anthropic', redactedData: 'opaque', durationMs: 2000 },
          { type: 'text', text: 'Answer.' },
        ]}
      />,
    );
    expect(screen.getByText('Thought for 2 s (encrypted by the provider: nothing to show)')).toBeTruthy();
    // No control that does nothing: nothing to expand.
    expect(screen.queryByRole('button', { name: /^Thought/ })).toBeNull();
    expect(screen.getByRole('article').textContent).not.toContain('opaque');
  });

  it('while thinking, no typing dots stand in for the answer; each thinking block of a tool loop folds on its own', () => {
    const { rerender } = render(
      <ChatMessage
        role="assistant"
        content=""
        state="streaming"
        thinkingSince={Date.now()}
        parts={[{ type: 'reasoning', text: 'First I look it up.', provider: 'openai' }]}
      />,
    );
    expect(screen.queryByRole('status', { name: 'Assistant is writing' })).toBeNull();
    expect(screen.getByText('Thinking…')).toBeTruthy();

    rerender(
      <ChatMessage
        role="assistant"
        content="It is 21 °C."
        state="complete"
        parts={[
          { type: 'reasoning', text: 'First I look it up.', provider: 'openai', durationMs: 4000 },
          { type: 'tool-call', id: 'c1', name: 'weather', args: {} },
          { type: 'reasoning', text: 'Now I answer.', provider: 'openai', durationMs: 61_000 },
          { type: 'text', text: 'It is 21 °C.' },
        ]}
      />,
    );
    expect(screen.getByRole('button', { name: 'Thought for 4 s' })).toBeTruthy();
    const second = screen.getByRole('button', { name: 'Thought for 1 min 1 s' });
    fireEvent.click(second);
    expect(screen.getByRole('region', { name: 'Reasoning' }).textContent).toBe('Now I answer.');
  });

  it('reasoning shows as Markdown while it streams, not as raw asterisks', () => {
    render(
      <ChatMessage
        role="assistant"
        content=""
        state="streaming"
        thinkingSince={Date.now()}
        parts={[{ type: 'reasoning', text: '**Reading the question**\n\nThe user asks about `x`', provider: 'openai' }]}
      />,
    );
    const region = screen.getByRole('region', { name: 'Reasoning so far' });
    expect(region.querySelector('strong')?.textContent).toBe('Reading the question');
    expect(region.textContent).not.toContain('**');
  });

  it('a message of files only can be edited: the editor shows its files and sends them again with the text left empty', () => {
    const onEdit = vi.fn();
    render(
      <ChatMessage
        role="user"
        content=""
        onEdit={onEdit}
        parts={[{ type: 'file', attachmentId: crypto.randomUUID(), mediaType: 'application/pdf', name: 'invoice.pdf', size: 5 }]}
      />,
    );
    fireEvent.click(screen.getByRole('button', { name: 'Edit message' }));
    const article = screen.getByRole('article', { name: 'You said' });
    expect(within(article).getByRole('link', { name: 'invoice.pdf' })).toBeTruthy();
    const save = within(article).getByRole('button', { name: 'Save and send' }) as HTMLButtonElement;
    expect(save.disabled).toBe(false);
    fireEvent.click(save);
    expect(onEdit).toHaveBeenCalledWith('');
  });

  it('a message of files only shows no empty bubble and no copy button', () => {
    render(
      <ChatMessage
        role="user"
        content=""
        parts={[{ type: 'file', attachmentId: crypto.randomUUID(), mediaType: 'image/webp', name: 'scan.webp', size: 5 }]}
      />,
    );
    const article = screen.getByRole('article', { name: 'You said' });
    expect(within(article).getByRole('img', { name: 'scan.webp' })).toBeTruthy();
    expect(within(article).queryByRole('button', { name: 'Copy message' })).toBeNull();
  });

  it('no cache line when nothing came from the cache', () => {
    render(<ChatMessage role="assistant" content="Hi" tokens={3} cachedPromptTokens={0} />);
    expect(screen.getByRole('article').textContent).not.toContain('from cache');
  });
});
