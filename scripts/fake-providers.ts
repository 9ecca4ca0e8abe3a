/**
 * Starts the loopback fake OpenAI and Anthropic servers (the tests' own, speaking the real wire
 * formats) on fixed ports, for driving the app by hand, the browser tests and the load test:
 *
 *   node --import tsx scripts/fake-providers.ts [--openai-port 4010] [--anthropic-port 4011] [--delay-ms 30]
 *
 * then run the app with OPENAI_BASE_URL=http://127.0.0.1:4010/v1 OPENAI_API_KEY=sk-fake (and
 * ANTHROPIC_BASE_URL=http://127.0.0.1:4011 ANTHROPIC_API_KEY=sk-ant-fake). Replies echo the last
 * user message word by word; a message containing "[fail]" gets a 500, "[slow]" streams slowly,
 * "[long]" streams a long reply.
 */
import { parseArgs } from 'node:util';
import { startFakeAnthropic, startFakeOpenAI, type FakeReply } from '../tests/support/fake-providers';

const { values } = parseArgs({
  options: {
    'openai-port': { type: 'string', default: '4010' },
    'anthropic-port': { type: 'string', default: '4011' },
    'delay-ms': { type: 'string', default: '20' },
  },
});
const delayMs = Number(values['delay-ms']);

function lastUserText(body: Record<string, unknown>): string {
  const messages = (body.messages as { role: string; content: unknown }[] | undefined) ?? [];
  const last = [...messages].reverse().find((message) => message.role === 'user');
  if (!last) return '';
  if (typeof last.content === 'string') return last.content;
  return JSON.stringify(last.content);
}

/** A scripted reply chosen by markers in the user's message, so a browser test can pick a mode. */
export function replyFor(body: Record<string, unknown>): FakeReply {
  const text = lastUserText(body);
  if (text.includes('[fail]')) return { httpError: { status: 500 } };
  const model = typeof body.model === 'string' ? body.model : 'model';
  if (text.includes('[long]')) {
    const words = Array.from({ length: 400 }, (_, index) => `word${index}`).join(' ');
    return { text: `Long reply from ${model}: ${words}`, delayMs: text.includes('[slow]') ? 40 : delayMs };
  }
  const reply = `Echo from ${model}: ${text.replace(/\[(slow|long|fail)\]/g, '').trim()}`;
  return { text: reply, delayMs: text.includes('[slow]') ? 150 : delayMs };
}

const [openai, anthropic] = await Promise.all([
  startFakeOpenAI({ port: Number(values['openai-port']), defaultReply: replyFor }),
  startFakeAnthropic({ port: Number(values['anthropic-port']), defaultReply: replyFor }),
]);
console.log(`fake OpenAI on ${openai.url}, fake Anthropic on ${anthropic.url}`);

const stop = async () => {
  await Promise.all([openai.close(), anthropic.close()]);
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
