import 'server-only';
/** The longest title made from a message, in characters (code points), ellipsis included. */
export const MESSAGE_TITLE_CHARS = 80;
/** The conversations.title column's limit, in characters. */
export const MAX_TITLE_CHARS = 200;
export const NEW_CHAT_TITLE = 'New chat';

const IMPORTED_SUFFIX = ' (imported)';
const ELLIPSIS = '…';

/**
 * A conversation title from its first message: the words a reader sees once the markdown is
 * rendered (no #, *, backticks, link targets, list or quote markers, fences), on one line, at
 * most 80 characters with an ellipsis; "New chat" when nothing readable is left.
 */
export function titleFromMessage(text: string): string {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const kept: string[] = [];
  for (const line of lines) {
    // A fence line (```ts, ~~~) carries no words; the code inside it is kept as plain text.
    if (/^\s{0,3}(`{3,}|~{3,})/.test(line)) continue;
    // A thematic break (---, ***, ___) or a setext heading underline (===).
    if (/^\s{0,3}([-*_=])(\s*\1){2,}\s*$/.test(line)) continue;
    kept.push(stripBlockMarkers(line));
  }
  const plain = stripInline(kept.join(' ')).replace(/\s+/g, ' ').trim();
  return plain ? truncate(plain, MESSAGE_TITLE_CHARS) : NEW_CHAT_TITLE;
}

/** The title of an imported copy: "<original> (imported)", within the title limit. */
export function importedTitle(original: string): string {
  const base = original.replace(/\s+/g, ' ').trim() || NEW_CHAT_TITLE;
  if (base.endsWith(IMPORTED_SUFFIX.trim())) return truncate(base, MAX_TITLE_CHARS);
  return truncate(base, MAX_TITLE_CHARS - IMPORTED_SUFFIX.length) + IMPORTED_SUFFIX;
}

function stripBlockMarkers(line: string): string {
  let rest = line;
  // Blockquotes may nest (> > quote) and hold lists or headings; peel the markers in turn.
  for (let previous = ''; previous !== rest; ) {
    previous = rest;
    rest = rest
      .replace(/^\s*>\s?/, '')
      .replace(/^\s{0,3}#{1,6}(\s+|$)/, '')
      .replace(/^\s*(?:[-*+]|\d{1,9}[.)])\s+(?:\[[ xX]\]\s+)?/, '');
  }
  // A closing run of #s on an ATX heading.
  return rest.replace(/\s+#+\s*$/, '');
}

function stripInline(text: string): string {
  return (
    text
      // Images and links keep their words: ![alt](src) → alt, [text](href) / [text][ref] → text.
      .replace(/!\[([^\]]*)\]\([^)]*\)/g, '$1')
      .replace(/!\[([^\]]*)\]\[[^\]]*\]/g, '$1')
      .replace(/\[([^\]]+)\]\([^)]*\)/g, '$1')
      .replace(/\[([^\]]+)\]\[[^\]]*\]/g, '$1')
      // Autolinks: <https://example.com> → https://example.com.
      .replace(/<((?:https?|mailto):[^>\s]+)>/g, '$1')
      // Inline code keeps its text, without the backticks.
      .replace(/(`+)(.+?)\1/g, '$2')
      // Emphasis: **strong**, __strong__, *em*, _em_ (not inside snake_case), ~~struck~~.
      .replace(/(\*\*|__)(?=\S)(.+?)(?<=\S)\1/g, '$2')
      .replace(/\*(?=\S)(.+?)(?<=\S)\*/g, '$1')
      .replace(/(^|[^\p{L}\p{N}_])_(?=\S)(.+?)(?<=\S)_(?![\p{L}\p{N}_])/gu, '$1$2')
      .replace(/~~(?=\S)(.+?)(?<=\S)~~/g, '$1')
  );
}

/** At most `max` characters (code points, as Postgres counts them), an ellipsis marking a cut. */
function truncate(text: string, max: number): string {
  const chars = [...text];
  if (chars.length <= max) return text;
  const cut = chars.slice(0, max - 1).join('');
  // End on a word when one ends near the limit, so the title does not stop mid-word.
  const space = cut.lastIndexOf(' ');
  const words = space >= cut.length - 20 && space > 0 ? cut.slice(0, space) : cut;
  return `${words.trimEnd()}${ELLIPSIS}`;
}
