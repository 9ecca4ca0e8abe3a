import { z } from 'zod';
import { ChatError } from '../protocol/errors';
import { attachmentRecordSchema, attachmentUploadedSchema, errorResponseSchema } from '../protocol/rest';
import { chatUrl } from './chat-api';
import { chatErrorFromCode, chatErrorFromResponse } from './http-error';

/**
 * The client side of the attachment routes: POST {api}/attachments (multipart, one `file`
 * field) → 201 {attachment}; GET {api}/attachments/:id → the bytes; DELETE (unsent only) → 204.
 */

/** A file the server stored for this user, as POST {api}/attachments answers it. */
export type AttachmentRecord = z.infer<typeof attachmentRecordSchema>;

const uploadResponseSchema = attachmentUploadedSchema;

/** Where the browser loads an attachment from (the route checks it is the reader's). */
export function attachmentUrl(api: string, id: string): string {
  return chatUrl(api, `/attachments/${encodeURIComponent(id)}`);
}

export interface UploadOptions {
  /** Fraction sent, 0 to 1, from the request's upload progress events. */
  onProgress?: (fraction: number) => void;
  signal?: AbortSignal;
}

/**
 * Uploads one file. XMLHttpRequest, not fetch: only it reports upload progress. Rejects with the
 * server's ChatError (file_too_large, too_many_files, unsupported_file_type, …), `network` when
 * the connection failed, `aborted` when `signal` fired.
 */
export function uploadAttachment(api: string, file: File, options: UploadOptions = {}): Promise<AttachmentRecord> {
  const { onProgress, signal } = options;
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new ChatError('aborted', 'Upload cancelled.'));
    const xhr = new XMLHttpRequest();
    xhr.open('POST', chatUrl(api, '/attachments'));
    xhr.responseType = 'text';
    xhr.setRequestHeader('accept', 'application/json');
    xhr.upload.addEventListener('progress', (event) => {
      if (event.lengthComputable && event.total > 0) onProgress?.(Math.min(1, event.loaded / event.total));
    });
    const onAbort = () => xhr.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    const done = () => signal?.removeEventListener('abort', onAbort);
    xhr.addEventListener('load', () => {
      done();
      const json = parseJson(xhr.responseText);
      if (xhr.status >= 200 && xhr.status < 300) {
        const parsed = uploadResponseSchema.safeParse(json);
        if (parsed.success) resolve(parsed.data.attachment);
        else reject(new ChatError('unknown', 'The server sent an answer this client does not understand.', { cause: parsed.error }));
        return;
      }
      const error = errorResponseSchema.safeParse(json);
      reject(
        error.success
          ? chatErrorFromCode(error.data.error.code, error.data.error.message)
          : new ChatError(xhr.status === 413 ? 'file_too_large' : 'unknown', `The upload failed (${xhr.status}).`),
      );
    });
    xhr.addEventListener('error', () => {
      done();
      reject(new ChatError('network', 'The upload failed. Check your network and try again.'));
    });
    xhr.addEventListener('abort', () => {
      done();
      reject(new ChatError('aborted', 'Upload cancelled.'));
    });
    const form = new FormData();
    form.append('file', file, file.name);
    xhr.send(form);
  });
}

/** Deletes a file that was uploaded but not sent. A file already gone is no error. */
export async function deleteAttachment(api: string, id: string): Promise<void> {
  let response: Response;
  try {
    response = await fetch(attachmentUrl(api, id), { method: 'DELETE', credentials: 'same-origin' });
  } catch {
    return; // Unsent files are the server's to clean up when the page is gone; nothing to tell.
  }
  if (!response.ok && response.status !== 404) throw await chatErrorFromResponse(response);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
