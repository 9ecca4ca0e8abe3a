// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ChatInput } from '@/features/ai-chat/components/ChatInput';

afterEach(cleanup);

const box = () => screen.getByRole('textbox', { name: 'Message' });

describe('ChatInput', () => {
  it('Enter sends the text, clears the box and keeps focus in it', () => {
    const onSend = vi.fn();
    render(<ChatInput onSend={onSend} />);
    box().focus();
    fireEvent.change(box(), { target: { value: 'Hello' } });
    fireEvent.keyDown(box(), { key: 'Enter' });
    expect(onSend).toHaveBeenCalledWith('Hello');
    expect(box()).toHaveProperty('value', '');
    expect(document.activeElement).toBe(box());
  });

  it('Shift+Enter does not send (it is a line break)', () => {
    const onSend = vi.fn();
    render(<ChatInput onSend={onSend} />);
    fireEvent.change(box(), { target: { value: 'line one' } });
    fireEvent.keyDown(box(), { key: 'Enter', shiftKey: true });
    expect(onSend).not.toHaveBeenCalled();
  });

  it('never sends on the Enter that confirms an IME candidate', () => {
    const onSend = vi.fn();
    render(<ChatInput onSend={onSend} />);
    fireEvent.change(box(), { target: { value: 'にほん' } });
    fireEvent.keyDown(box(), { key: 'Enter', isComposing: true });
    fireEvent.keyDown(box(), { key: 'Enter', keyCode: 229 });
    expect(onSend).not.toHaveBeenCalled();
    fireEvent.keyDown(box(), { key: 'Enter' });
    expect(onSend).toHaveBeenCalledWith('にほん');
  });

  it('does not send blank text or while disabled', () => {
    const onSend = vi.fn();
    const { rerender } = render(<ChatInput onSend={onSend} />);
    fireEvent.change(box(), { target: { value: '   ' } });
    fireEvent.keyDown(box(), { key: 'Enter' });
    expect(screen.getByRole('button', { name: 'Send' })).toHaveProperty('disabled', true);
    rerender(<ChatInput onSend={onSend} disabled />);
    expect(box()).toHaveProperty('disabled', true);
    expect(onSend).not.toHaveBeenCalled();
  });

  it('while streaming offers Stop (button and Esc) and lets the next message be typed but not sent', () => {
    const onSend = vi.fn();
    const onStop = vi.fn();
    render(<ChatInput onSend={onSend} onStop={onStop} isStreaming disabled />);
    expect(box()).toHaveProperty('disabled', false);
    fireEvent.change(box(), { target: { value: 'next question' } });
    fireEvent.keyDown(box(), { key: 'Enter' });
    expect(onSend).not.toHaveBeenCalled();
    fireEvent.keyDown(box(), { key: 'Escape' });
    fireEvent.click(screen.getByRole('button', { name: 'Stop' }));
    expect(onStop).toHaveBeenCalledTimes(2);
  });

  it('shows a character counter only near the limit', () => {
    render(<ChatInput onSend={() => {}} maxLength={100} />);
    fireEvent.change(box(), { target: { value: 'x'.repeat(50) } });
    expect(screen.queryByText(/\/ 100/)).toBeNull();
    fireEvent.change(box(), { target: { value: 'x'.repeat(95) } });
    expect(screen.getByText('95 / 100')).toBeTruthy();
  });

  it('keeps a paste over the limit whole, says by how much, and does not send it', () => {
    const onSend = vi.fn();
    render(<ChatInput onSend={onSend} />);
    fireEvent.change(box(), { target: { value: 'x'.repeat(100_000) } });
    expect(box()).toHaveProperty('value', 'x'.repeat(100_000));
    const note = screen.getByText('Your message is 100,000 characters; the limit is 32,000.');
    expect(box().getAttribute('aria-describedby')).toBe(note.id);
    expect(screen.getByRole('button', { name: 'Send' })).toHaveProperty('disabled', true);
    fireEvent.keyDown(box(), { key: 'Enter' });
    expect(onSend).not.toHaveBeenCalled();

    fireEvent.change(box(), { target: { value: 'x'.repeat(32_000) } });
    expect(screen.queryByText(/the limit is 32,000/)).toBeNull();
    fireEvent.keyDown(box(), { key: 'Enter' });
    expect(onSend).toHaveBeenCalledWith('x'.repeat(32_000));
  });

  it('when disabled for a reason, says it under the input', () => {
    render(<ChatInput onSend={() => {}} disabled disabledReason="You have used today's tokens. The limit resets at midnight UTC, in 3 h." />);
    expect(box()).toHaveProperty('disabled', true);
    const note = screen.getByText("You have used today's tokens. The limit resets at midnight UTC, in 3 h.");
    expect(box().getAttribute('aria-describedby')).toBe(note.id);
  });

});
