// @vitest-environment jsdom
import { act, cleanup, render, screen } from '@testing-library/react';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ChatSession } from '@/features/ai-chat/client/chat-session';
import type { ChatMessageView } from '@/features/ai-chat/client/chat-message-view';
import type { MessagePart } from '@/features/ai-chat/protocol/parts';
import { Markdown } from '@/features/ai-chat/components/Markdown';
import { MessageRow } from '@/features/ai-chat/components/MessageRow';
import { ReasoningBlock } from '@/features/ai-chat/components/ReasoningBlock';
import { installLayoutStubs } from '../hooks/support/chat-backend';
import { HOSTILE_REPLIES } from '../support/hostile-markdown';
import { messageView } from '../support/message-view';

// A reply comes from a model that can be steered, and an import stores assistant text of any
// length: the renderer must stay bounded and never throw, whatever the text.

beforeAll(installLayoutStubs);
afterEach(cleanup);

/** The blocks that went around the markdown parser, shown as plain text. */
const plainBlocks = (container: HTMLElement) => [...container.querySelectorAll<HTMLElement>('[data-markdown="plain"]')];

describe('Markdown with hostile replies', () => {
  for (const { name, text } of HOSTILE_REPLIES) {
    it(`${name}: renders without throwing, as readable plain text rather than through the parser`, () => {
      const started = performance.now();
      const { container } = render(<Markdown content={text} />);
      // Measured, not asserted (timings belong in the bench): the figure goes in the note.
      console.info(`[hostile markdown] ${name}: ${Math.round(performance.now() - started)} ms`);
      const plain = plainBlocks(container);
      expect(plain.length).toBeGreaterThan(0);
      // Nothing lost: the whole reply is there, whitespace and line breaks kept.
      expect(container.textContent?.replace(/\s+/g, '')).toBe(text.replace(/\s+/g, ''));
      expect(plain.every((block) => block.className.includes('whitespace-pre-wrap'))).toBe(true);
    });
  }

  it('ordinary blocks around a hostile one still render as markdown', () => {
    const { container } = render(<Markdown content={`# Title\n\nSome **bold** text.\n\n${'>'.repeat(3000)} deep\n\n| a | b |\n|---|---|\n| 1 | 2 |`} />);
    expect(screen.getByRole('heading', { name: 'Title' })).toBeTruthy();
    expect(container.querySelector('strong')?.textContent).toBe('bold');
    expect(container.querySelector('table')).not.toBeNull();
    expect(plainBlocks(container)).toHaveLength(1);
  });

  it('a very long reply of ordinary paragraphs parses up to a budget, and the rest stays readable as plain text', () => {
    const paragraph = `A paragraph with *emphasis* and \`code\` that goes on for a while. `.repeat(20);
    const text = Array.from({ length: 400 }, (_, i) => `${i}: ${paragraph}`).join('\n\n');
    const { container } = render(<Markdown content={text} />);
    expect(container.querySelectorAll('em').length).toBeGreaterThan(10);
    expect(plainBlocks(container).length).toBeGreaterThan(0);
    expect(container.textContent).toContain('399: A paragraph');
  });

  it('reasoning with a hostile text opens without throwing', () => {
    const { container } = render(<ReasoningBlock text={`${'>'.repeat(3000)} hidden`} thinkingSince={null} durationMs={2000} />);
    act(() => screen.getByRole('button', { name: 'Thought for 2 s' }).click());
    expect(plainBlocks(container)).toHaveLength(1);
    expect(screen.getByRole('region', { name: 'Reasoning' }).textContent).toContain('hidden');
  });
});

const view = (overrides: Partial<ChatMessageView>): ChatMessageView => messageView(overrides);

describe('MessageRow render errors', () => {
  it('a message that fails to render shows its text plainly; the other rows and the page stay', () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    const session = new ChatSession();
    // A malformed part (as a hand-edited import could hold) makes the reasoning block throw.
    const broken = [{ type: 'reasoning', text: null }] as unknown as MessagePart[];
    session.messages.replaceAll([
      view({ key: 'a1', id: 'a1', content: 'Broken row, still readable.', parts: broken }),
      view({ key: 'a2', id: 'a2', content: 'A healthy row.' }),
    ]);
    const { container } = render(
      <>
        <MessageRow session={session} messageKey="a1" />
        <MessageRow session={session} messageKey="a2" />
      </>,
    );
    error.mockRestore();
    const fallback = container.querySelector('[data-render-error]');
    expect(fallback?.textContent).toContain('Broken row, still readable.');
    expect(fallback?.textContent).toContain('could not be displayed');
    expect(screen.getByText('A healthy row.')).toBeTruthy();
  });
});
