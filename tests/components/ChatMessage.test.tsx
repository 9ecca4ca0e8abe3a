// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ChatMessage } from '@/features/ai-chat/components/ChatMessage';
import { StreamingMessage } from '@/features/ai-chat/components/StreamingMessage';
import { messageView } from '../support/message-view';

afterEach(cleanup);

describe('ChatMessage', () => {
  it('takes a message as the chat holds it, and a prop given beside it wins', () => {
    const message = messageView({ role: 'assistant', content: 'From the view', state: 'partial', tokens: 12, model: 'gpt-5-mini' });
    const { rerender } = render(<ChatMessage message={message} />);
    const article = screen.getByRole('article', { name: 'Assistant said' });
    expect(within(article).getByText('From the view')).toBeTruthy();
    expect(within(article).getByText('Stopped')).toBeTruthy();
    rerender(<ChatMessage message={message} content="Given beside it" />);
    expect(screen.getByText('Given beside it')).toBeTruthy();
    expect(screen.queryByText('From the view')).toBeNull();
  });


  it('renders the spec’s standalone props: role, content, timestamp', () => {
    render(<ChatMessage role="assistant" content="Hello! How can I help you?" timestamp={new Date('2026-01-01T10:30:00Z')} />);
    const article = screen.getByRole('article', { name: 'Assistant said' });
    expect(article.textContent).toContain('Hello! How can I help you?');
    expect(article.querySelector('time')?.getAttribute('dateTime')).toBe('2026-01-01T10:30:00.000Z');
  });

  it('renders GitHub-flavoured markdown: tables and lists', () => {
    render(<ChatMessage role="assistant" content={'| Fruit | Qty |\n|---|---|\n| Apple | 3 |\n\n- one\n- two'} />);
    const table = screen.getByRole('table');
    expect(within(table).getByRole('cell', { name: 'Apple' })).toBeTruthy();
    expect(screen.getAllByRole('listitem').map((li) => li.textContent)).toEqual(['one', 'two']);
  });

  it('highlights a closed code block (Shiki loaded on demand) and offers to copy it', async () => {
    const writeText = vi.fn().mockResolvedValue(undefined);
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
    const { container } = render(<ChatMessage role="assistant" content={'```ts\nconst answer: number = 42;\n```'} />);
    await waitFor(() => expect(container.querySelector('pre[data-highlighted="true"]')).not.toBeNull(), { timeout: 10_000 });
    expect(container.querySelector('pre')!.textContent).toBe('const answer: number = 42;');
    fireEvent.click(screen.getByRole('button', { name: 'Copy code' }));
    await waitFor(() => expect(writeText).toHaveBeenCalledWith('const answer: number = 42;'));
    expect(await screen.findByRole('button', { name: 'Copied' })).toBeTruthy();
  });

  it('shows an unclosed code fence as plain text while streaming', () => {
    const { container } = render(<StreamingMessage content={'Here:\n\n```ts\nconst a = '} isComplete={false} />);
    const pre = container.querySelector('pre')!;
    expect(pre.getAttribute('data-highlighted')).toBe('false');
    expect(pre.textContent).toBe('const a = ');
    expect(container.firstElementChild!.getAttribute('aria-busy')).toBe('true');
    expect(screen.queryByRole('button', { name: 'Copy code' })).toBeNull();
  });

  it('edits a user message in place: Save sends the new text, Esc cancels', () => {
    const onEdit = vi.fn();
    render(<ChatMessage role="user" content="Capital of France?" onEdit={onEdit} />);
    fireEvent.click(screen.getByRole('button', { name: 'Edit message' }));
    const editor = screen.getByRole('textbox', { name: 'Edit message' });
    fireEvent.keyDown(editor, { key: 'Escape' });
    expect(screen.queryByRole('textbox', { name: 'Edit message' })).toBeNull();

    fireEvent.click(screen.getByRole('button', { name: 'Edit message' }));
    fireEvent.change(screen.getByRole('textbox', { name: 'Edit message' }), { target: { value: 'Capital of Italy?' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save and send' }));
    expect(onEdit).toHaveBeenCalledWith('Capital of Italy?');
  });

  it('offers regenerate, a version picker, and shows the model, tokens and time as separate items; cost only when the app opts in', () => {
    const onRegenerate = vi.fn();
    const onPrevious = vi.fn();
    render(
      <ChatMessage
        role="assistant"
        content="Answer"
        tokens={1234}
        cost="0.0042"
        model="gpt-5-mini"
        timestamp="2026-12-07T09:46:00.000Z"
        onRegenerate={onRegenerate}
        branch={{ index: 1, total: 3, onPrevious, onNext: () => {} }}
      />,
    );
    fireEvent.click(screen.getByRole('button', { name: 'Regenerate reply' }));
    fireEvent.click(screen.getByRole('button', { name: 'Previous version' }));
    expect(onRegenerate).toHaveBeenCalled();
    expect(onPrevious).toHaveBeenCalled();
    expect(screen.getByRole('group', { name: 'Versions' }).textContent).toMatch(/Version 2\/? of 3/);
    const details = within(screen.getByRole('list', { name: 'Message details' })).getAllByRole('listitem');
    expect(details.map((item) => item.textContent)).toEqual(['gpt-5-mini', '1.2K tokens', expect.stringMatching(/\d{1,2}:46/)]);
    expect(screen.queryByText(/\$0\.0042/)).toBeNull();
    cleanup();
    render(<ChatMessage role="assistant" content="Answer" tokens={1234} cost="0.0042" showCost />);
    expect(within(screen.getByRole('list', { name: 'Message details' })).getAllByRole('listitem').map((item) => item.textContent)).toEqual(['1.2K tokens', '$0.0042']);
  });

  it('a failed reply offers one way to try again: Retry in its alert, not also the regenerate icon', () => {
    const onRetry = vi.fn();
    render(
      <ChatMessage
        role="assistant"
        content=""
        state="error"
        error={{ code: 'provider_error', message: 'The connection to OpenAI was lost.', retryable: true }}
        onRetry={onRetry}
        onRegenerate={() => {}}
      />,
    );
    expect(screen.getAllByRole('button', { name: /Retry|Regenerate/ }).map((button) => button.textContent || button.getAttribute('aria-label'))).toEqual(['Retry']);
  });

  it('marks a stopped reply and an unsent message', () => {
    render(
      <>
        <ChatMessage role="assistant" content="Half an ans" state="partial" />
        <ChatMessage role="user" content="Hello" state="error" />
      </>,
    );
    expect(screen.getByText('Stopped')).toBeTruthy();
    expect(screen.getByText('Not sent')).toBeTruthy();
  });

  it('a failed reply shows its error in the row, with Retry only when retrying can help', () => {
    const onRetry = vi.fn();
    const { rerender } = render(
      <ChatMessage role="assistant" content="" state="error" tokens={0} error={{ code: 'provider_error', message: 'OpenAI had a problem.', retryable: true }} onRetry={onRetry} />,
    );
    const alert = within(screen.getByRole('article', { name: 'Assistant said' })).getByRole('alert');
    expect(alert.textContent).toContain('OpenAI had a problem.');
    fireEvent.click(within(alert).getByRole('button', { name: 'Retry' }));
    expect(onRetry).toHaveBeenCalled();
    // No empty "0 tokens · $0" footer for a reply that never began.
    expect(screen.queryByText(/0 tokens/)).toBeNull();

    rerender(<ChatMessage role="assistant" content="" state="error" error={{ code: 'auth', message: 'The key was refused.', retryable: false }} onRetry={onRetry} />);
    expect(screen.getByRole('alert').textContent).toContain('The key was refused.');
    expect(screen.queryByRole('button', { name: 'Retry' })).toBeNull();
  });

  it('names the model that wrote a reply in its footer', () => {
    render(<ChatMessage role="assistant" content="Hi." model="claude-sonnet-4-5" tokens={3} cost="0.0001" />);
    expect(screen.getByRole('article', { name: 'Assistant said' }).textContent).toContain('claude-sonnet-4-5');
  });

  it('while the provider backs off, says so and when it retries, instead of typing dots', () => {
    render(
      <ChatMessage
        role="assistant"
        content=""
        state="pending"
        retrying={{ attempt: 1, retryAfterSeconds: 20, reason: 'rate_limited', since: Date.now() }}
      />,
    );
    expect(screen.getByRole('status').textContent).toBe('The provider is busy; retrying in 20 s…');
    expect(screen.queryByRole('status', { name: 'Assistant is writing' })).toBeNull();
  });

  it('collapses a long user message behind "Show more", and "Show less" folds it again', () => {
    const long = 'word '.repeat(2000);
    render(<ChatMessage role="user" content={long} />);
    const more = screen.getByRole('button', { name: 'Show more' });
    expect(more.getAttribute('aria-expanded')).toBe('false');
    fireEvent.click(more);
    const less = screen.getByRole('button', { name: 'Show less' });
    expect(less.getAttribute('aria-expanded')).toBe('true');
    fireEvent.click(less);
    expect(screen.getByRole('button', { name: 'Show more' })).toBeTruthy();
  });

  it('a short user message has no "Show more"', () => {
    render(<ChatMessage role="user" content="Hello there" />);
    expect(screen.queryByRole('button', { name: 'Show more' })).toBeNull();
  });
});
