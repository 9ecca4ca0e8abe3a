import 'server-only';
import type { AttachmentMediaType } from '../protocol/parts';
import { PROVIDERS } from './registry';
import type { ProviderName } from './types';

/** What the estimate reads of an AttachmentRecord (store/chat-store), without importing the store. */
export interface AttachmentShape {
  mediaType: AttachmentMediaType;
  width: number | null;
  height: number | null;
  pages: number | null;
}

/**
 * Input tokens a file will cost, estimated before the call from what the upload recorded (an
 * image's pixels, a PDF's pages), so the usage reservation holds enough. The provider's reported
 * usage is what gets billed; this only has to be close, and rather over than under.
 */
export function estimateAttachmentTokens(provider: ProviderName, model: string, record: AttachmentShape): number {
  if (record.mediaType === 'application/pdf') return PDF_TOKENS_PER_PAGE * Math.max(1, record.pages ?? 1);
  // Text is counted from its bytes by the turn (server/files/turn-files); without them, nothing to estimate from.
  if (record.mediaType === 'text/plain') return 0;
  const width = record.width ?? 0;
  const height = record.height ?? 0;
  // Dimensions unknown (0 × 0): the provider's most for one image.
  return PROVIDERS[provider].imageTokens(model, Math.max(0, width), Math.max(0, height));
}

/**
 * A PDF page is sent as its text and as an image of the page, by both providers. Anthropic's PDF
 * support page: "each page typically uses 1,500-3,000 tokens" plus the image's tokens; OpenAI's
 * file inputs page: "both the extracted text and an image of each page" go into the context.
 * 2,000 a page is the middle of Anthropic's range and what OpenAI bills a dense page.
 */
const PDF_TOKENS_PER_PAGE = 2_000;
