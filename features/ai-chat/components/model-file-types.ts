import { ATTACHMENT_MEDIA_TYPES, type AttachmentMediaType } from '../protocol/parts';
import type { ChatConfig } from '../protocol/rest';

/**
 * The file types the chosen model reads, as the server's /config says: the input offers only
 * those (a model that reads none shows no paperclip). A server too old to say allows them all
 * and lets the turn refuse.
 */
export function fileTypesTheModelReads(
  config: ChatConfig | null,
  choice: { provider: string; model: string } | null,
): readonly AttachmentMediaType[] {
  const accepts = config?.providers.find((entry) => entry.name === choice?.provider)?.accepts;
  if (!accepts || !choice) return ATTACHMENT_MEDIA_TYPES;
  const reads = accepts[choice.model] ?? { images: false, pdf: false };
  return ATTACHMENT_MEDIA_TYPES.filter((type) => (type === 'application/pdf' ? reads.pdf : reads.images));
}
