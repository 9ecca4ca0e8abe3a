'use client';

import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';
import { deleteAttachment, uploadAttachment, type AttachmentRecord } from '../client/server-api';
import { ATTACHMENT_MEDIA_TYPES, type AttachmentMediaType } from '../protocol/parts';
import type { ChatError } from '../protocol/errors';

/** A file picked for the next message: uploading at once, then ready to send (or failed). */
export interface AttachmentDraft {
  /** Local, stable for the life of the preview. */
  key: string;
  name: string;
  mediaType: string;
  size: number;
  /** An object URL for an image's thumbnail; null for a PDF. Revoked when the draft goes. */
  previewUrl: string | null;
  status: 'uploading' | 'ready' | 'failed';
  /** 0 to 1 while uploading. */
  progress: number;
  record: AttachmentRecord | null;
  error: string | null;
}

export interface UseAttachmentDrafts {
  drafts: readonly AttachmentDraft[];
  /**
   * Starts uploading each file at once. One of a type the chosen model does not read (`accept`)
   * is not uploaded: it shows as failed, saying why.
   */
  add(files: Iterable<File>, accept?: readonly AttachmentMediaType[]): void;
  /** Drops a draft: cancels its upload, or deletes the uploaded, unsent file on the server. */
  remove(key: string): void;
  /** The message went: forget the drafts without deleting their files (they are sent now). */
  clearSent(): void;
  /** The chat was left unsent: every draft is removed (uploads cancelled, uploaded files deleted). */
  discardAll(): void;
  /** True while any upload runs: Send waits. */
  uploading: boolean;
  /** The uploaded files, in the order they were added. */
  ready: AttachmentRecord[];
}

let draftCounter = 0;

/** The files of the message being written, uploaded to POST {api}/attachments as they are added. */
export function useAttachmentDrafts(api: string): UseAttachmentDrafts {
  const [drafts, setDrafts] = useState<readonly AttachmentDraft[]>([]);
  const uploads = useRef(new Map<string, AbortController>());
  // A layout effect, not a passive one: it runs in the commit that shows a draft as uploaded, so
  // a Remove clicked right after sees the draft's server record and deletes the file. A passive
  // effect could still be pending then, and the uploaded file was left behind on the server.
  const live = useRef<readonly AttachmentDraft[]>([]);
  useLayoutEffect(() => {
    live.current = drafts;
  }, [drafts]);

  const patch = useCallback((key: string, change: Partial<AttachmentDraft>) => {
    setDrafts((all) => all.map((draft) => (draft.key === key ? { ...draft, ...change } : draft)));
  }, []);

  const add = useCallback(
    (files: Iterable<File>, accept: readonly AttachmentMediaType[] = ATTACHMENT_MEDIA_TYPES) => {
      const added: AttachmentDraft[] = [];
      for (const file of files) {
        draftCounter += 1;
        const key = `draft-${draftCounter}`;
        const image = file.type.startsWith('image/');
        if (isKnownType(file.type) && !accept.includes(file.type)) {
          const error = `This model does not read ${image ? 'images' : 'PDFs'}: choose another model to send it.`;
          added.push({ key, name: file.name || 'File', mediaType: file.type, size: file.size, previewUrl: null, status: 'failed', progress: 0, record: null, error });
          continue;
        }
        added.push({
          key,
          name: file.name || (image ? 'Pasted image' : 'File'),
          mediaType: file.type,
          size: file.size,
          previewUrl: image && typeof URL.createObjectURL === 'function' ? URL.createObjectURL(file) : null,
          status: 'uploading',
          progress: 0,
          record: null,
          error: null,
        });
        const controller = new AbortController();
        uploads.current.set(key, controller);
        uploadAttachment(api, file, { signal: controller.signal, onProgress: (progress) => patch(key, { progress }) })
          .then((record) => patch(key, { status: 'ready', progress: 1, record }))
          .catch((error: ChatError) => {
            if (error.code === 'aborted') return;
            patch(key, { status: 'failed', error: error.message });
          })
          .finally(() => uploads.current.delete(key));
      }
      if (added.length > 0) setDrafts((all) => [...all, ...added]);
    },
    [api, patch],
  );

  const drop = useCallback(
    (draft: AttachmentDraft) => {
      uploads.current.get(draft.key)?.abort();
      if (draft.record) void deleteAttachment(api, draft.record.id).catch(() => undefined);
      if (draft.previewUrl) URL.revokeObjectURL(draft.previewUrl);
    },
    [api],
  );

  const remove = useCallback(
    (key: string) => {
      const draft = live.current.find((d) => d.key === key);
      if (!draft) return;
      drop(draft);
      setDrafts((all) => all.filter((d) => d.key !== key));
    },
    [drop],
  );

  const discardAll = useCallback(() => {
    for (const draft of live.current) drop(draft);
    live.current = [];
    setDrafts([]);
  }, [drop]);

  const clearSent = useCallback(() => {
    for (const draft of live.current) if (draft.previewUrl) URL.revokeObjectURL(draft.previewUrl);
    setDrafts([]);
  }, []);

  // Leaving the page revokes the thumbnails; unsent files are left for the server to expire.
  useEffect(
    () => () => {
      for (const controller of uploads.current.values()) controller.abort();
      for (const draft of live.current) if (draft.previewUrl) URL.revokeObjectURL(draft.previewUrl);
    },
    [],
  );

  return {
    drafts,
    add,
    remove,
    clearSent,
    discardAll,
    uploading: drafts.some((draft) => draft.status === 'uploading'),
    ready: drafts.flatMap((draft) => (draft.status === 'ready' && draft.record ? [draft.record] : [])),
  };
}

function isKnownType(type: string): type is AttachmentMediaType {
  return (ATTACHMENT_MEDIA_TYPES as readonly string[]).includes(type);
}
