import type { KeyboardEvent } from 'react';

/**
 * Whether a keydown in a textarea means "send": Enter without Shift, and never while an IME is
 * composing (the Enter that confirms a Japanese or Chinese candidate; Safari reports keyCode 229).
 */
export function isSubmitKey(event: KeyboardEvent<HTMLTextAreaElement>): boolean {
  if (event.key !== 'Enter' || event.shiftKey) return false;
  if (event.nativeEvent.isComposing || event.keyCode === 229) return false;
  return true;
}
