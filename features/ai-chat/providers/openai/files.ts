import 'server-only';

import type { ProviderFile } from '../types';

/** A file as the data URL both OpenAI APIs take for inline images and PDFs. */
export function dataUrlOf(file: ProviderFile): string {
  return `data:${file.mediaType};base64,${Buffer.from(file.data.buffer, file.data.byteOffset, file.data.byteLength).toString('base64')}`;
}

export function isPdf(file: ProviderFile): boolean {
  return file.mediaType === 'application/pdf';
}

/** A PDF needs a file name on the wire; a blank one becomes `document.pdf`. */
export function pdfFilename(file: ProviderFile): string {
  const name = file.name.trim();
  return name === '' ? 'document.pdf' : name;
}
