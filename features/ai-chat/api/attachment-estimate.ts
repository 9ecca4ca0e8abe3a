import 'server-only';
import type { ProviderName } from '../providers/types';
import type { AttachmentRecord } from '../store/chat-store';

/**
 * Placeholder until utils/attachment-tokens.ts (the attachments work) is merged: same signature,
 * flat figures that err high, so a reservation never under-holds. At merge, import
 * `estimateAttachmentTokens` from '../utils/attachment-tokens' instead and delete this file.
 */
const IMAGE_TOKENS = 1_600;
const PDF_PAGE_TOKENS = 2_000;

/** The prompt tokens one attachment is expected to cost on this model. */
export function estimateAttachmentTokens(_provider: ProviderName, _model: string, record: AttachmentRecord): number {
  if (record.mediaType === 'application/pdf') return PDF_PAGE_TOKENS * Math.max(1, record.pages ?? 1);
  return IMAGE_TOKENS;
}
