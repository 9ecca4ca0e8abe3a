import 'server-only';
import { textOfParts, withoutProviderSecrets, type FilePart, type MessagePart } from '../../protocol/parts';

/** Long enough for any real file name; a hostile one cannot bloat the note. */
const MAX_NOTED_NAME_CHARS = 200;

/**
 * An imported message's parts as the importer may keep them. Provider secrets go (a file must
 * never be able to hand a provider a signature or encrypted reasoning). A file part whose file came
 * back (`files`: the importer's own, copied) names the copy; any other goes, since it names a file
 * in someone's storage, and leaves a note saying what was there. `content` is then
 * the text of the parts, so the two can never disagree. A message without parts keeps its content.
 */
export function importedParts(
  parts: readonly MessagePart[] | null,
  content: string,
  files: ReadonlyMap<string, FilePart> = new Map(),
): { parts: MessagePart[] | null; content: string } {
  if (!parts || parts.length === 0) return { parts: null, content };
  const kept: MessagePart[] = [];
  for (const part of parts) {
    if (part.type !== 'file') {
      kept.push(withoutProviderSecrets(part));
      continue;
    }
    const copy = files.get(part.attachmentId);
    if (copy) {
      kept.push(copy);
      continue;
    }
    const name = [...part.name].slice(0, MAX_NOTED_NAME_CHARS).join('');
    const before = textOfParts(kept);
    kept.push({ type: 'text', text: `${before && !before.endsWith('\n') ? '\n' : ''}[file not imported: ${name}]` });
  }
  return { parts: kept, content: textOfParts(kept) };
}
