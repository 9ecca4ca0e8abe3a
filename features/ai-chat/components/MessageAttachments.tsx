'use client';

import { useState } from 'react';
import { attachmentUrl, DEFAULT_CHAT_API } from '../client/server-api';
import type { FilePart } from '../protocol/parts';
import { FileTextIcon } from './icons';
import { ImageDialog } from './ImageDialog';
import { TextFileDialog } from './TextFileDialog';

/** The files of a user's message: image thumbnails (click to enlarge), text files as named chips (click to preview), PDFs as named links. */
export function MessageAttachments({ files, api = DEFAULT_CHAT_API }: { files: readonly FilePart[]; api?: string }) {
  const [enlarged, setEnlarged] = useState<FilePart | null>(null);
  const [previewed, setPreviewed] = useState<FilePart | null>(null);
  if (files.length === 0) return null;
  return (
    <ul aria-label="Attachments" className="flex max-w-[85%] flex-wrap justify-end gap-2">
      {files.map((file) => {
        const url = attachmentUrl(api, file.attachmentId);
        return (
          <li key={file.attachmentId}>
            {file.mediaType.startsWith('image/') ? (
              <button
                type="button"
                onClick={() => setEnlarged(file)}
                aria-label={`Enlarge ${file.name}`}
                className="block overflow-hidden rounded-lg border border-border focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-ring"
              >
                {/* eslint-disable-next-line @next/next/no-img-element -- a private file behind the route */}
                <img src={url} alt={file.name} loading="lazy" className="block h-28 max-w-56 object-cover" />
              </button>
            ) : file.mediaType === 'text/plain' ? (
              <button
                type="button"
                onClick={() => setPreviewed(file)}
                aria-label={`Preview ${file.name}`}
                className="inline-flex max-w-64 items-center gap-1.5 rounded-lg border border-border bg-muted px-2.5 py-1.5 text-sm text-foreground hover:bg-accent focus-visible:outline-2 focus-visible:outline-ring"
              >
                <FileTextIcon />
                <span className="truncate">{file.name}</span>
              </button>
            ) : (
              <a
                href={url}
                target="_blank"
                rel="noopener"
                className="inline-flex max-w-64 items-center gap-1.5 rounded-lg border border-border bg-muted px-2.5 py-1.5 text-sm text-foreground hover:bg-accent focus-visible:outline-2 focus-visible:outline-ring"
              >
                <FileTextIcon />
                <span className="truncate">{file.name}</span>
              </a>
            )}
          </li>
        );
      })}
      {previewed && <TextFileDialog src={attachmentUrl(api, previewed.attachmentId)} name={previewed.name} onClose={() => setPreviewed(null)} />}
      {enlarged && <ImageDialog src={attachmentUrl(api, enlarged.attachmentId)} alt={enlarged.name} onClose={() => setEnlarged(null)} />}
    </ul>
  );
}
