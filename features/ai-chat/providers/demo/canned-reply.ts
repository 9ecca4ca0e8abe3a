import 'server-only';
import type { ProviderMessage } from '../types';

/**
 * What the offline demo says: the same few paragraphs each time, naming what the person wrote
 * and attached, so every part of the chat (streaming, Markdown, code, files, the usage meter)
 * can be tried before a key is set. It never pretends to understand.
 */
export function cannedReply(messages: readonly ProviderMessage[]): string {
  const last = [...messages].reverse().find((message) => message.role === 'user');
  const said = last?.role === 'user' ? last.content.trim() : '';
  const files = last?.role === 'user' ? (last.files ?? []) : [];
  const quote = said.length > 160 ? `${said.slice(0, 160)}…` : said;
  const lines = [
    '**Offline demo model** — this is a canned reply written on your machine, not an AI.',
    '',
    quote ? `You wrote: “${quote.replace(/\s+/g, ' ')}”` : 'Your message had no text.',
  ];
  if (files.length > 0) {
    lines.push('', 'You attached:', ...files.map((file) => `- \`${file.name}\` (${file.mediaType}, ${file.data.byteLength} bytes)`));
  }
  lines.push(
    '',
    'To chat with a real model, add a key to `.env.local` and restart the server:',
    '',
    '```bash',
    'OPENAI_API_KEY=sk-...',
    '# or',
    'ANTHROPIC_API_KEY=sk-ant-...',
    '```',
  );
  return lines.join('\n');
}
