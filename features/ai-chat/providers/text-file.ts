import 'server-only';
import type { ProviderFile } from './types';

/** Whether a file is text (checked as UTF-8 on upload): it goes to the model as text, not as a file. */
export function isTextFile(file: Pick<ProviderFile, 'mediaType'>): boolean {
  return file.mediaType === 'text/plain';
}

// Decoding drops a leading byte order mark; `fatal: false` because the upload already refused invalid UTF-8.
const decoder = new TextDecoder('utf-8');

/**
 * A text file as the one block both providers get: its name, then its text, fenced so the model
 * can tell where the file ends and the user's words begin. Counted by tokens exactly like this.
 */
export function textFileBlock(file: Pick<ProviderFile, 'name' | 'data'>): string {
  const name = file.name.replace(/["\r\n]/g, '_');
  return `<file name="${name}">\n${decoder.decode(file.data)}\n</file>`;
}
