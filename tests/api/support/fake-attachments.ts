import { ChatError } from '@/features/ai-chat/protocol/errors';
import type { AttachmentMediaType } from '@/features/ai-chat/protocol/parts';
import type { AttachmentRecord, UserAttachmentStore } from '@/features/ai-chat/store/chat-store';

/**
 * Stands in for the attachment storage until the real one (store/attachments) is merged: files
 * owned by users, looked up only by their owner, bound to a message once. It keeps what the
 * handler asked of it, so a test can see a file was read and bound.
 */
export interface FakeFileStorage {
  add(userId: string, file: { mediaType: AttachmentMediaType; name: string; data: Uint8Array; pages?: number; conversationId?: string }): AttachmentRecord;
  forUser(userId: string): UserAttachmentStore;
  reads: string[];
  attached: { ids: string[]; conversationId: string; messageId: string }[];
}

export function fakeFileStorage(): FakeFileStorage {
  const files = new Map<string, { owner: string; record: AttachmentRecord; data: Uint8Array }>();
  const reads: string[] = [];
  const attached: FakeFileStorage['attached'] = [];
  return {
    reads,
    attached,
    add(userId, file) {
      const record: AttachmentRecord = {
        id: crypto.randomUUID(),
        mediaType: file.mediaType,
        name: file.name,
        size: file.data.byteLength,
        width: file.mediaType === 'application/pdf' ? null : 64,
        height: file.mediaType === 'application/pdf' ? null : 64,
        pages: file.pages ?? null,
        conversationId: file.conversationId ?? null,
        messageId: null,
        createdAt: new Date().toISOString(),
      };
      files.set(record.id, { owner: userId, record, data: file.data });
      return record;
    },
    forUser(userId) {
      const own = (id: string) => {
        const file = files.get(id);
        return file && file.owner === userId ? file : null;
      };
      return {
        create: () => Promise.reject(new ChatError('not_configured', 'not in this fake')),
        get: async (id) => own(id)?.record ?? null,
        read: async (id) => {
          const file = own(id);
          if (file) reads.push(id);
          return file ? file.data : null;
        },
        signedUrl: async () => null,
        remove: async () => false,
        attach: async (ids, target) => {
          const records = ids.map((id) => own(id));
          if (records.some((file) => !file || (file.record.conversationId !== null && file.record.conversationId !== target.conversationId))) {
            throw new ChatError('bad_request', 'attachments: not yours to attach');
          }
          for (const file of records) Object.assign(file!.record, target);
          attached.push({ ids: [...ids], ...target });
          return records.map((file) => file!.record);
        },
      };
    },
  };
}
