// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MessageEditor } from '@/features/ai-chat/components/MessageEditor';

afterEach(cleanup);

describe('MessageEditor', () => {
  it('keeps an edit over the limit whole, says so, and will not send it', () => {
    const onSave = vi.fn();
    render(<MessageEditor initialText="short" onSave={onSave} onCancel={() => {}} />);
    const box = screen.getByRole('textbox', { name: 'Edit message' });
    fireEvent.change(box, { target: { value: 'z'.repeat(40_000) } });
    expect(box).toHaveProperty('value', 'z'.repeat(40_000));
    expect(screen.getByText('Your message is 40,000 characters; the limit is 32,000.')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Save and send' })).toHaveProperty('disabled', true);
    fireEvent.keyDown(box, { key: 'Enter' });
    expect(onSave).not.toHaveBeenCalled();
  });

  it('opens with focus in the text and the caret after its last word, ready to type on', () => {
    // Seen on a walk: the caret sat before the first word.
    render(<MessageEditor initialText="What is a monad, in one line?" onSave={() => {}} onCancel={() => {}} />);
    const box = screen.getByRole('textbox', { name: 'Edit message' }) as HTMLTextAreaElement;
    expect(document.activeElement).toBe(box);
    expect([box.selectionStart, box.selectionEnd]).toEqual([29, 29]);
  });
});
