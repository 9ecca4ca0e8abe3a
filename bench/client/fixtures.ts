/**
 * The conversation and the reply both clients are given: deterministic (seeded), so every run and
 * both clients see exactly the same text. Imported by the Node driver and bundled into the pages.
 */

export const CONVERSATION_ID = '00000000-0000-4000-8000-00000000c0de';
export const ASSISTANT_ID = '00000000-0000-4000-8000-0000000a5515';
export const USER_ID = '00000000-0000-4000-8000-0000000a5500';
export const PROMPT = 'Could you summarise what we decided, with an example?';
/** The reply's last words: the run ends when they are on screen. */
export const END_MARKER = 'END-OF-REPLY';

export interface FixtureMessage {
  id: string;
  role: 'user' | 'assistant';
  text: string;
}

const WORDS = (
  'the a stream token render commit message list row state update react frame batch parse block ' +
  'server client request response cache index query table user reply model latency budget chunk ' +
  'markdown paragraph heading scroll bottom layout paint effect memo hook store subscribe event ' +
  'protocol schema branch version history context window summary limit quota cost price retry'
).split(' ');

const CODE: readonly (readonly [string, string])[] = [
  ['ts', "const reply = await chat.send({ message: 'hello' });\nfor await (const delta of reply) {\n  render(delta);\n}"],
  ['python', 'def total(rows):\n    return sum(row.tokens for row in rows)\n\nprint(total(history))'],
  ['bash', 'npm run bench -- --quick\ncurl -N http://localhost:3000/api/chat'],
  ['json', '{\n  "type": "text-delta",\n  "delta": "Hello"\n}'],
];

/** mulberry32: a tiny seeded PRNG, so the fixtures never change between runs. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function sentence(next: () => number, words: number): string {
  const picked = Array.from({ length: words }, () => WORDS[Math.floor(next() * WORDS.length)]!);
  if (next() < 0.3) picked[Math.floor(next() * words)] = `**${picked[0]}**`;
  if (next() < 0.3) picked[Math.floor(next() * words)] = `\`${picked[1]}()\``;
  const text = picked.join(' ');
  return `${text[0]!.toUpperCase()}${text.slice(1)}.`;
}

function paragraph(next: () => number): string {
  return Array.from({ length: 2 + Math.floor(next() * 4) }, () => sentence(next, 6 + Math.floor(next() * 10))).join(' ');
}

/** A reply as a model writes one: paragraphs, sometimes a list, a table or a fenced code block. */
function assistantMarkdown(next: () => number): string {
  const blocks = [paragraph(next)];
  if (next() < 0.4) blocks.push(Array.from({ length: 3 }, () => `- ${sentence(next, 5)}`).join('\n'));
  if (next() < 0.3) {
    const [language, code] = CODE[Math.floor(next() * CODE.length)]!;
    blocks.push(`\`\`\`${language}\n${code}\n\`\`\``);
  }
  if (next() < 0.1) blocks.push('| field | meaning |\n| --- | --- |\n| delta | new text |\n| usage | tokens |');
  if (next() < 0.6) blocks.push(paragraph(next));
  return blocks.join('\n\n');
}

/** `count` messages, alternating user and assistant, oldest first. */
export function history(count: number): FixtureMessage[] {
  const next = random(count);
  return Array.from({ length: count }, (_, i) => ({
    id: `00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`,
    role: i % 2 === 0 ? 'user' : 'assistant',
    text: i % 2 === 0 ? sentence(next, 8 + Math.floor(next() * 12)).replace(/\.$/, '?') : assistantMarkdown(next),
  }));
}

/** Splits text into pieces of about one token (a word or part of one, with its leading space). */
function tokenize(text: string): string[] {
  return text.match(/\s*\S{1,5}|\s+/g) ?? [];
}

/**
 * The reply streamed to both clients: exactly `count` deltas of about one token each, with a list,
 * a code block (open while it streams, closed part-way) and paragraphs; it ends with END_MARKER.
 */
export function replyDeltas(count: number): string[] {
  const next = random(7);
  const [language, code] = CODE[0]!;
  let text = `${paragraph(next)}\n\n${Array.from({ length: 4 }, () => `1. ${sentence(next, 7)}`).join('\n')}\n\n\`\`\`${language}\n${code}\n\`\`\``;
  const ending = tokenize(` ${END_MARKER}`);
  while (tokenize(text).length < count) text += `\n\n${paragraph(next)}`;
  const tokens = tokenize(text);
  // Keep the code block whole: the reply is always long enough to close it before the cut.
  return [...tokens.slice(0, count - ending.length), ...ending];
}
