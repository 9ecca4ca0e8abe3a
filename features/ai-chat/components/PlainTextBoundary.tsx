'use client';

import { Component, type ReactNode } from 'react';

/** Text shown as written: whitespace and line breaks kept, long words wrapped, nothing parsed. */
export function PlainText({ text, className = '' }: { text: string; className?: string }) {
  return (
    <div data-markdown="plain" className={`whitespace-pre-wrap [overflow-wrap:anywhere] ${className}`}>
      {text}
    </div>
  );
}

interface PlainTextBoundaryProps {
  /** What to show, as plain text, if rendering the children throws. */
  text: string;
  /** A short note above the text saying why it is plain; none by default. */
  note?: string;
  children: ReactNode;
}

/**
 * Catches a render error below it and shows `text` plainly instead: one message (or one block of
 * it) that cannot render never blanks the page or its neighbours.
 */
export class PlainTextBoundary extends Component<PlainTextBoundaryProps, { failed: boolean }> {
  state = { failed: false };

  static getDerivedStateFromError(): { failed: boolean } {
    return { failed: true };
  }

  componentDidUpdate(previous: PlainTextBoundaryProps): void {
    // New text (a reply still streaming, an edit) gets another chance to render normally.
    if (this.state.failed && previous.text !== this.props.text) this.setState({ failed: false });
  }

  render(): ReactNode {
    if (!this.state.failed) return this.props.children;
    return (
      <div data-render-error="">
        {this.props.note && <p className="mb-1 text-sm text-muted-foreground">{this.props.note}</p>}
        <PlainText text={this.props.text} />
      </div>
    );
  }
}
