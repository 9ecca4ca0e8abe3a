/**
 * Starts the loopback fake OpenAI and Anthropic servers (the tests' own, speaking the real wire
 * formats: Chat Completions SSE with the usage chunk, Anthropic Messages SSE) on fixed ports, for
 * driving the app by hand, the browser tests and the load test:
 *
 *   npm run fake-providers -- [--openai-port 4010] [--anthropic-port 4011] [--delay-ms 20]
 *
 * then run the app with
 *   OPENAI_API_KEY=sk-fake OPENAI_BASE_URL=http://127.0.0.1:4010/v1
 *   ANTHROPIC_API_KEY=sk-ant-fake ANTHROPIC_BASE_URL=http://127.0.0.1:4011
 * Replies echo the last user message as plain text; markers in it ([[429]], [[500]], [[fail]],
 * [[cut]], [[slow]], [[long]], [[code]], [[tool]], [[think]], [[redacted]], [[refuse]]) bring about the other states: see
 * tests/support/fake-providers/markers.ts and docs/testing.md.
 */
import { parseArgs } from 'node:util';
import { createMarkerReplies, startFakeAnthropic, startFakeOpenAI } from '../tests/support/fake-providers';

const { values } = parseArgs({
  options: {
    'openai-port': { type: 'string', default: '4010' },
    'anthropic-port': { type: 'string', default: '4011' },
    'delay-ms': { type: 'string', default: '20' },
  },
});
const delayMs = Number(values['delay-ms']);

const ports = { openai: Number(values['openai-port']), anthropic: Number(values['anthropic-port']) };
const started = await Promise.allSettled([
  startFakeOpenAI({ port: ports.openai, defaultReply: createMarkerReplies({ delayMs }) }),
  startFakeAnthropic({ port: ports.anthropic, defaultReply: createMarkerReplies({ delayMs }) }),
]);
const failed = started.flatMap((result, index) => (result.status === 'rejected' ? [{ error: result.reason as unknown, which: index === 0 ? 'openai' : 'anthropic' } as const] : []));
if (failed.length > 0) {
  await Promise.all(started.map((result) => (result.status === 'fulfilled' ? result.value.close() : undefined)));
  for (const { error, which } of failed) console.error(startFailure(error, which));
  process.exit(1);
}
const [openai, anthropic] = started.map((result) => (result as PromiseFulfilledResult<Awaited<ReturnType<typeof startFakeOpenAI>>>).value) as [
  Awaited<ReturnType<typeof startFakeOpenAI>>,
  Awaited<ReturnType<typeof startFakeAnthropic>>,
];
console.log(`fake OpenAI on ${openai.url}, fake Anthropic on ${anthropic.url}`);
console.log('markers: [[429]] [[500]] [[fail]] [[cut]] [[slow]] [[long]] [[code]] [[tool]] [[think]] [[redacted]] [[refuse]]');

const stop = async () => {
  await Promise.all([openai.close(), anthropic.close()]);
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);

/** Why a fake could not start, in words: which port, and how to pick another (never a raw stack). */
function startFailure(error: unknown, which: 'openai' | 'anthropic'): string {
  const flag = which === 'openai' ? '--openai-port' : '--anthropic-port';
  const variable = which === 'openai' ? 'OPENAI_BASE_URL=http://127.0.0.1:<port>/v1' : 'ANTHROPIC_BASE_URL=http://127.0.0.1:<port>';
  const name = which === 'openai' ? 'OpenAI' : 'Anthropic';
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EADDRINUSE' || code === 'EACCES') {
    const why = code === 'EADDRINUSE' ? 'is already in use (another `npm run fake-providers`, or another program)' : 'may not be opened by this user';
    return (
      `fake-providers: port ${ports[which]} for the fake ${name} ${why}.\n` +
      `  Choose another: npm run fake-providers -- ${flag} <port>   and point the app at it with ${variable}`
    );
  }
  return `fake-providers: the fake ${name} could not start on port ${ports[which]}: ${error instanceof Error ? error.message : String(error)}`;
}
