import type { AttachmentMediaType } from '../protocol/parts';

/** A file a user uploaded, as the database knows it (the bytes live in storage). */
export interface AttachmentRecord {
  id: string;
  mediaType: AttachmentMediaType;
  name: string;
  /** Bytes. */
  size: number;
  /** Pixels, for images (read from the file's header at upload). */
  width: number | null;
  height: number | null;
  /** Pages, for PDFs. */
  pages: number | null;
  /** Null until the file is sent with a message. */
  conversationId: string | null;
  messageId: string | null;
  createdAt: string;
}

export interface NewAttachment {
  mediaType: AttachmentMediaType;
  name: string;
  /** Already checked: its type by its bytes, its size against the limits. */
  data: Uint8Array;
  width?: number | null;
  height?: number | null;
  pages?: number | null;
}

/**
 * A user's files: private to them in storage and in the database, under RLS on both (Supabase
 * Storage policies on storage.objects; embedded, a folder read only after an RLS-checked row).
 */
/**
 * What an upload must fit, decided by the database in the transaction that records it (so
 * parallel uploads are counted one after another). Null or absent: no limit.
 */
export interface UploadAllowance {
  /** Bytes all of the user's files (sent or not) may take, this one included. */
  maxStorageBytes?: number | null;
  /** The user's requests a minute, chat turns and uploads together. */
  maxRequestsPerMinute?: number | null;
}

export interface UserAttachmentStore {
  /**
   * Server only: stores the bytes under the user's own folder and writes the row, if the upload
   * fits `allowance`: otherwise ChatError 'payload_too_large' (the storage quota, 413) or
   * 'usage_limit' (requests per minute, 429), and nothing is kept.
   */
  create(input: NewAttachment, allowance?: UploadAllowance): Promise<AttachmentRecord>;
  /**
   * Deletes this user's files never sent with a message and older than `maxAgeSeconds` (by the
   * database's clock), bytes and all, as the user; returns how many went.
   */
  expireUnsent(maxAgeSeconds: number): Promise<number>;
  /** Null when it does not exist or is not this user's. */
  get(id: string): Promise<AttachmentRecord | null>;
  /** The bytes; null when not this user's. */
  read(id: string): Promise<Uint8Array | null>;
  /** A short-lived URL the browser may load it from directly (Supabase Storage); null: serve it through the route. */
  signedUrl(id: string, ttlSeconds: number): Promise<string | null>;
  /** Deletes a file not yet sent with a message; false when there was none such of this user's. */
  remove(id: string): Promise<boolean>;
  /**
   * Server only: binds files to the user message that carries them. Each must be this user's and
   * either unsent or already in this conversation (an edit re-sends them); otherwise ChatError
   * 'bad_request' naming the file, and nothing is bound.
   */
  attach(ids: readonly string[], target: { conversationId: string; messageId: string }): Promise<AttachmentRecord[]>;
}
