import { useId } from 'react';

/** The model declined to answer: said as a notice, never as if it were the answer. */
export function RefusalNotice({ text }: { text: string }) {
  const titleId = useId();
  return (
    <div
      role="note"
      aria-labelledby={titleId}
      className="mt-2 rounded-lg border border-border bg-muted px-3 py-2 text-foreground"
    >
      <p id={titleId} className="text-sm font-semibold">
        The model declined to answer
      </p>
      {text.trim() !== '' && <p className="mt-1 text-sm whitespace-pre-wrap">{text}</p>}
    </div>
  );
}
