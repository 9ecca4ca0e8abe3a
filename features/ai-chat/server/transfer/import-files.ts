import 'server-only';
import { filePartOf, type FilePart } from '../../protocol/parts';
import type { ConversationExport } from '../../protocol/export';
import type { UserChatStore } from '../../store/chat-store';
import type { AttachmentLimits } from '../files/attachment-check';

/**
 * The files of an import that come back with it: those the importer still owns (their own export,
 * files not deleted since). Each is copied to a new file of theirs, so the imported chat keeps it
 * whatever becomes of the original conversation. A file of anyone else is not theirs to read (the
 * store answers null under row-level security) and stays out, as a note in the text.
 */
export async function reattachOwnFiles(
  document: ConversationExport,
  user: UserChatStore,
  limits: AttachmentLimits,
): Promise<Map<string, FilePart>> {
  const wanted = new Set<string>();
  for (const message of document.messages) {
    if (message.role !== 'user') continue;
    for (const part of message.parts ?? []) if (part.type === 'file') wanted.add(part.attachmentId);
  }
  const copies = new Map<string, FilePart>();
  for (const id of [...wanted].slice(0, limits.maxFilesPerMessage * 20)) {
    const record = await user.attachments.get(id);
    const data = record && (await user.attachments.read(id));
    if (!record || !data) continue;
    const copy = await user.attachments.create(
      { mediaType: record.mediaType, name: record.name, data, width: record.width, height: record.height, pages: record.pages },
      { maxStorageBytes: limits.maxStorageBytesPerUser },
    );
    copies.set(id, filePartOf(copy));
  }
  return copies;
}

/** Binds the copies to the imported messages that carry them (found by the new ids in their parts). */
export async function bindImportedFiles(user: UserChatStore, conversationId: string, copies: ReadonlyMap<string, FilePart>): Promise<void> {
  if (copies.size === 0) return;
  const copied = new Set([...copies.values()].map((part) => part.attachmentId));
  for (const message of await user.listMessages(conversationId)) {
    const ids = (message.parts ?? []).flatMap((part) => (part.type === 'file' && copied.has(part.attachmentId) ? [part.attachmentId] : []));
    if (ids.length > 0) await user.attachments.attach(ids, { conversationId, messageId: message.id });
  }
}
