import 'server-only';
import { ChatError } from '../../protocol/errors';
import { filePartOf, partsOf, type FilePart } from '../../protocol/parts';
import type { MessageRecord } from '../../protocol/records';
import type { ProviderFile, ProviderMessage } from '../../providers/types';
import type { AttachmentRecord, UserChatStore } from '../../store/chat-store';
import type { ModelInfo } from '../../providers/pricing';
import { estimateAttachmentTokens } from '../../providers/attachment-tokens';
import { isTextFile, textFileBlock } from '../../providers/text-file';
import { countTokens } from '../../providers/tokens';
import { tooManyFiles, type AttachmentLimits } from './attachment-check';
import type { ProviderTarget } from '../http/handler-options';

/**
 * The files of a turn: the new message's attachments, checked before anything is written, and
 * the files of earlier user messages, read again so the model sees what the user showed it.
 */

/** The new message's files, as its parts, as the provider gets them, and what they cost in the prompt. */
export interface TurnFiles {
  ids: string[];
  parts: FilePart[];
  files: ProviderFile[];
  tokens: number;
}

export const NO_FILES: TurnFiles = { ids: [], parts: [], files: [], tokens: 0 };

/**
 * Checks every attachment of the request: this user's, unsent or already in this conversation,
 * readable, and of a kind the model reads. Any refusal is a 4xx naming the field; nothing is
 * written by this, and nothing is written before it.
 */
export async function resolveAttachments(
  ids: readonly string[],
  context: { user: UserChatStore; target: ProviderTarget; model: ModelInfo | null; conversationId: string | null; limits: AttachmentLimits },
): Promise<TurnFiles> {
  if (ids.length === 0) return NO_FILES;
  if (ids.length > context.limits.maxFilesPerMessage) {
    throw tooManyFiles(ids.length, context.limits);
  }
  const repeated = ids.find((id, index) => ids.indexOf(id) !== index);
  if (repeated) throw new ChatError('bad_request', `attachments: file ${repeated} is listed twice.`, { field: 'attachments' });

  const { user, target } = context;
  const records = await Promise.all(ids.map((id) => user.attachments.get(id)));
  for (const [index, record] of records.entries()) {
    // Another user's file and no file at all answer the same: nothing tells them apart.
    if (!record) throw new ChatError('bad_request', `attachments: file ${ids[index]} not found.`, { field: 'attachments' });
    if (record.conversationId !== null && record.conversationId !== context.conversationId) {
      throw new ChatError('bad_request', `attachments: file ${record.id} belongs to another conversation.`, { field: 'attachments' });
    }
    assertModelReads(target, context.model, record);
  }
  const found = records as AttachmentRecord[];
  const bytes = await Promise.all(found.map((record) => user.attachments.read(record.id)));
  const files: ProviderFile[] = [];
  for (const [index, data] of bytes.entries()) {
    const record = found[index]!;
    if (!data) throw new ChatError('bad_request', `attachments: file ${record.id} not found.`, { field: 'attachments' });
    files.push({ mediaType: record.mediaType, name: record.name, data });
  }
  return {
    ids: found.map((record) => record.id),
    parts: found.map(filePartOf),
    files,
    tokens: files.reduce((sum, file, index) => sum + fileTokens(target, found[index]!, file), 0),
  };
}

/** A text file costs its block's tokens, counted as the provider will read it; an image or PDF its estimate. */
function fileTokens(target: ProviderTarget, record: AttachmentRecord, file: ProviderFile): number {
  if (isTextFile(file)) return countTokens(textFileBlock(file), target);
  return estimateAttachmentTokens(target.provider, target.model, record);
}

/** Every model reads text files; images or PDFs only where the catalogue says so (an unknown model: text only). */
export function modelReads(model: ModelInfo | null, mediaType: AttachmentRecord['mediaType']): boolean {
  if (mediaType === 'text/plain') return true;
  const accepts = model?.accepts;
  return (mediaType === 'application/pdf' ? accepts?.pdf : accepts?.images) === true;
}

function assertModelReads(target: ProviderTarget, model: ModelInfo | null, record: AttachmentRecord): void {
  const pdf = record.mediaType === 'application/pdf';
  if (modelReads(model, record.mediaType)) return;
  throw new ChatError('bad_request', `model: "${target.model}" does not read ${pdf ? 'PDFs' : 'images'}; choose another model or remove ${record.name}.`, {
    field: 'model',
  });
}

export function fileParts(message: Pick<MessageRecord, 'content' | 'parts'>): FilePart[] {
  return partsOf(message).filter((part): part is FilePart => part.type === 'file');
}

/**
 * Gives the kept earlier user messages their files again (bytes read anew). A file that is gone
 * or that this model cannot read is named in the text instead, so the model knows it was there.
 */
export async function withHistoryFiles(
  messages: readonly ProviderMessage[],
  sources: readonly (MessageRecord | null)[],
  user: UserChatStore,
  model: ModelInfo | null,
): Promise<ProviderMessage[]> {
  return Promise.all(
    messages.map(async (message, index) => {
      const source = sources[index];
      if (message.role !== 'user' || !source) return message;
      const parts = fileParts(source);
      if (parts.length === 0) return message;
      const files: ProviderFile[] = [];
      const notes: string[] = [];
      for (const part of parts) {
        const readable = modelReads(model, part.mediaType);
        const data = readable ? await user.attachments.read(part.attachmentId) : null;
        if (data) files.push({ mediaType: part.mediaType, name: part.name, data });
        else notes.push(`[${readable ? 'file no longer available' : 'file not shown to this model'}: ${part.name}]`);
      }
      const content = [message.content, ...notes].filter(Boolean).join('\n');
      return files.length > 0 ? { role: 'user', content, files } : { role: 'user', content };
    }),
  );
}
