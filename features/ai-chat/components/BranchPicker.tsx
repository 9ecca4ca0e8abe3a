'use client';

import { ChevronLeftIcon, ChevronRightIcon } from './icons';

export interface BranchPickerProps {
  /** 0-based position of the version shown. */
  index: number;
  total: number;
  onPrevious: () => void;
  onNext: () => void;
  disabled?: boolean;
}

const BUTTON =
  'inline-flex size-7 items-center justify-center rounded-md hover:bg-accent focus-visible:outline-2 focus-visible:outline-ring disabled:opacity-40 disabled:hover:bg-transparent';

/** `< 2/3 >`: pages through the versions of a message (edits, regenerations). */
export function BranchPicker({ index, total, onPrevious, onNext, disabled = false }: BranchPickerProps) {
  return (
    <div role="group" aria-label="Versions" className="inline-flex items-center text-xs text-muted-foreground">
      <button type="button" className={BUTTON} onClick={onPrevious} disabled={disabled || index <= 0} aria-label="Previous version">
        <ChevronLeftIcon />
      </button>
      <span aria-live="polite" aria-atomic="true" className="tabular-nums">
        <span className="sr-only">Version </span>
        {index + 1}
        <span aria-hidden="true">/</span>
        <span className="sr-only"> of </span>
        {total}
      </span>
      <button type="button" className={BUTTON} onClick={onNext} disabled={disabled || index >= total - 1} aria-label="Next version">
        <ChevronRightIcon />
      </button>
    </div>
  );
}
