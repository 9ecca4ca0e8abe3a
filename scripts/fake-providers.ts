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

const [openai, anthropic] = await Promise.all([
  startFakeOpenAI({ port: Number(values['openai-port']), defaultReply: createMarkerReplies({ delayMs }) }),
  startFakeAnthropic({ port: Number(values['anthropic-port']), defaultReply: createMarkerReplies({ delayMs }) }),
]);
console.log(`fake OpenAI on ${openai.url}, fake Anthropic on ${anthropic.url}`);
console.log('markers: [[429]] [[500]] [[fail]] [[cut]] [[slow]] [[long]] [[code]] [[tool]] [[think]] [[redacted]] [[refuse]]');

const stop = async () => {
  await Promise.all([openai.close(), anthropic.close()]);
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
