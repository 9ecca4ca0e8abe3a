import type { ReactNode } from 'react';

export interface InputNoteFacts {
  /** The note's element id (the textarea's aria-describedby). */
  id: string;
  maxFiles: number | undefined;
  /** Files left out of the last add, over `maxFiles`. */
  notAdded: number;
  /** Files over `maxFiles` among those ready (0: none). */
  overBy: number;
  failedUpload: { name: string; error?: string | null } | undefined;
  /** Enter was pressed while these many files still upload (0: not waiting). */
  waitingFor: number;
  /** Why the input is off (an operator's words), when it is. */
  reason: string | null;
  /** The text's length when it is over `maxLength`; null when it fits. */
  length: number | null;
  maxLength: number;
}

/** The one line under the input that matters most now (files, an upload, why it is off, the length), or null. */
export function inputNote(facts: InputNoteFacts): ReactNode {
  const { id, maxFiles } = facts;
  if ((facts.notAdded > 0 || facts.overBy > 0) && maxFiles !== undefined) {
    return (
      <span id={id} role="alert" className="text-destructive">
        A message may carry at most {maxFiles} {maxFiles === 1 ? 'file' : 'files'}
        {facts.overBy > 0 ? `: remove ${facts.overBy}.` : `: ${facts.notAdded} ${facts.notAdded === 1 ? 'was' : 'were'} not added.`}
      </span>
    );
  }
  if (facts.failedUpload?.error) {
    return (
      <span id={id} role="alert" className="text-destructive">
        {facts.failedUpload.name}: {facts.failedUpload.error}
      </span>
    );
  }
  if (facts.waitingFor > 0) {
    return (
      <span id={id} role="status">
        Waiting for {facts.waitingFor} {facts.waitingFor === 1 ? 'file' : 'files'} to upload…
      </span>
    );
  }
  if (facts.reason) {
    return (
      <span id={id} className="text-foreground">
        {facts.reason}
      </span>
    );
  }
  if (facts.length !== null) {
    return (
      <span id={id} className="text-destructive">
        Your message is {facts.length.toLocaleString('en-US')} characters; the limit is {facts.maxLength.toLocaleString('en-US')}.
      </span>
    );
  }
  return null;
}
