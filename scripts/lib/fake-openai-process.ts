/**
 * Child-process entry: the loopback fake OpenAI from tests/support, answering every chat request
 * with `replyTextFor(last user message)` (its length and pace from `shapeFor`), so producing frames
 * never competes with the server's or the load generator's event loop. Prints one JSON line `{"url": ...}` when listening; stops on
 * SIGTERM.
 *
 *   node --import tsx scripts/lib/fake-openai-process.ts --words 80 --delay-ms 20
 */
import { parseArgs } from 'node:util';
import { startFakeOpenAI } from '../../tests/support/fake-providers';
import { FAKE_PROMPT_TOKENS, replyTextFor, shapeFor } from './scripted-reply';

const { values } = parseArgs({
  options: {
    words: { type: 'string', default: '80' },
    'delay-ms': { type: 'string', default: '20' },
  },
});
const words = Number(values.words);
const delayMs = Number(values['delay-ms']);

function lastUserText(body: Record<string, unknown>): string {
  const messages = Array.isArray(body.messages) ? (body.messages as { role?: string; content?: unknown }[]) : [];
  const last = [...messages].reverse().find((message) => message.role === 'user');
  return typeof last?.content === 'string' ? last.content : JSON.stringify(last?.content ?? '');
}

const fake = await startFakeOpenAI({
  defaultReply: (body) => {
    const message = lastUserText(body);
    const shape = shapeFor(message, { words, delayMs });
    return {
      text: replyTextFor(message, shape.words),
      delayMs: shape.delayMs,
      usage: { promptTokens: FAKE_PROMPT_TOKENS, completionTokens: shape.words },
    };
  },
});
process.stdout.write(`${JSON.stringify({ url: fake.url })}\n`);

const stop = () => void fake.close().finally(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
