import { ATTACHMENT_MEDIA_TYPES, type AttachmentMediaType } from '../protocol/parts';
import type { ChatConfig } from '../protocol/rest';

/**
 * The file types the chosen model reads, as the server's /config says: the input offers only
 * those; text files always (every model reads text). A server too old to say allows them all
 * and lets the turn refuse.
 */
export function fileTypesTheModelReads(
  config: ChatConfig | null,
  choice: { provider: string; model: string } | null,
): readonly AttachmentMediaType[] {
  const accepts = config?.providers.find((entry) => entry.name === choice?.provider)?.accepts;
  if (!accepts || !choice) return ATTACHMENT_MEDIA_TYPES;
  const reads = accepts[choice.model] ?? { images: false, pdf: false };
  // Every model reads text files: they reach it as text.
  return ATTACHMENT_MEDIA_TYPES.filter((type) => (type === 'text/plain' ? true : type === 'application/pdf' ? reads.pdf : reads.images));
}

/** Extensions a file picker should offer as text: browsers type many of them as nothing, or wrongly (.ts as video). */
const TEXT_EXTENSIONS = '.txt,.md,.markdown,.csv,.tsv,.json,.jsonl,.yaml,.yml,.toml,.xml,.log,.ini,.env,.sql,.sh,.html,.css,.js,.mjs,.jsx,.ts,.tsx,.py,.rb,.go,.rs,.java,.kt,.swift,.c,.h,.cpp,.hpp,.cs,.php';

/** The file input's `accept` for these types: text/plain widens to any text and the usual text extensions. */
export function acceptAttribute(types: readonly AttachmentMediaType[]): string {
  return types.map((type) => (type === 'text/plain' ? `text/*,application/json,${TEXT_EXTENSIONS}` : type)).join(',');
}
