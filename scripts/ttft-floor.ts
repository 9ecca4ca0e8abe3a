/**
 * `npm run bench:ttft`: what the module adds to the time to first token through a production
 * `next start`, on top of what the provider and Next itself cost, measured side by side in one run.
 * Each iteration times, in a shuffled order so drift and ordering hit all alike:
 *
 *   (a) the fake OpenAI's own time to first token, called directly with the official SDK;
 *   (b) Next's own answer to a route that does not exist (GET, 404), to its first body byte;
 *   (c) POST /api/chat to the first text-delta, for a new conversation and for a follow-up turn
 *       (always under the same parent of an 8-message conversation, so the history is constant);
 *   (d) the reference route (scripts/lib/planted-routes/reference-relay.route.ts: Next and the SDK relaying the fake as
 *       the chat's events, no module) to its first text-delta.
 *
 * Reported per iteration, then as median and p99: (c) − (a), what serving the turn adds over the
 * provider; (c) − (a) − (b), what the module adds on top of Next's own floor; and (c) − (d), what it
 * adds over a streaming route of Next's that does nothing but relay the provider.
 *
 *   npm run bench:ttft [-- --runs 200 --warmup 40 --words 8 --no-write --cpu-prof /tmp/prof]
 *   npm run bench:ttft -- --store postgres   (the Postgres store on a fresh local PostgreSQL database)
 *
 * The fake streams without delay, in its own process; the server runs on the embedded store
 * (PGlite, default) or the Postgres store, with all three limits set high enough never to refuse,
 * so every turn runs the full limit check. The build is the load test's copy
 * ($TMPDIR/ai-chat-load-build-<hash>).
 */
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import OpenAI from 'openai';
import { BUILD_ROOT, ensureBuiltCopy } from './lib/built-app-copy';
import { tail } from './lib/child-processes';
import { startFakeOpenAIChild } from './lib/fake-openai-child';
import { machineNow, writeDocSection } from './lib/load-report';
import { percentile } from './lib/percentiles';
import { runScript, step, StepFailure } from './lib/run-steps';
import { REFERENCE_RELAY_ROUTE } from './lib/planted-routes';
import { replyTextFor } from './lib/scripted-reply';
import { freshLocalDatabase } from './lib/local-postgres';
import { freshDataDir, startNextServer } from './lib/server-under-test';
import { timedChat } from './lib/sse-timing';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const DOC = path.join(REPO, 'docs/benchmarks.md');

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '200' },
    warmup: { type: 'string', default: '40' },
    words: { type: 'string', default: '8' },
    'no-write': { type: 'boolean', default: false },
    'cpu-prof': { type: 'string' },
    store: { type: 'string', default: 'pglite' },
  },
});
const STORE = values.store === 'postgres' ? 'postgres' : 'pglite';
const HEADING = `## Time to first token through next start: ${STORE === 'postgres' ? 'PostgreSQL' : 'PGlite'}`;
const RUNS = Number(values.runs);
const WARMUP = Number(values.warmup);
const WORDS = Number(values.words);
const MODEL = 'gpt-4o-mini';
const FOLLOW_UP_TURNS = 4;
const TARGET_MS = 2;

type Kind = 'sdk' | 'next404' | 'new' | 'followUp' | 'reference';
type Sample = Record<Kind, number>;

/** Fisher–Yates, for the order of one iteration's four measurements. */
function shuffled<T>(items: readonly T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}

const fmt = (value: number) => `${value.toFixed(2)} ms`;

runScript('ttft floor', 30 * 60_000, async () => {
  const machine = machineNow();
  let storeEnv: Record<string, string>;
  if (STORE === 'postgres') {
    const database = await step('a fresh database on the local PostgreSQL', () => freshLocalDatabase());
    if (database.url === null) throw new StepFailure(`no local PostgreSQL: ${database.why}`);
    storeEnv = { AI_CHAT_STORE: 'postgres', DATABASE_URL: database.url, AI_CHAT_AUTH: 'local-user', AI_CHAT_DATABASE_MIGRATE: 'on' };
  } else {
    storeEnv = { AI_CHAT_STORE: 'embedded', AI_CHAT_DATA_DIR: await freshDataDir('ai-chat-ttft-data-') };
  }
  const appEnv = {
    ...storeEnv,
    AI_CHAT_MAX_TOKENS_PER_DAY: '1000000000',
    AI_CHAT_MAX_COST_PER_MONTH: '1000000',
    AI_CHAT_MAX_REQUESTS_PER_MINUTE: '1000000',
    AI_CHAT_OPENAI_MODELS: MODEL,
  };
  const copy = await step('production build (a copy of the working tree, not the repo’s .next)', async () => {
    const built = await ensureBuiltCopy(REPO, {
      NODE_ENV: 'production',
      NEXT_TELEMETRY_DISABLED: '1',
      AI_CHAT_STORE: 'embedded',
      AI_CHAT_DATA_DIR: path.join(BUILD_ROOT, 'build-data'),
    });
    console.log(`  ${built.built ? 'built' : 'reused the build of the same sources'} in ${built.dir}`);
    return built;
  });
  const fake = await step(`start the fake OpenAI (own process, ${WORDS} words, no delay)`, () => startFakeOpenAIChild({ words: WORDS, delayMs: 0 }));
  const server = await step('start next start', () =>
    startNextServer({
      appDir: copy.dir,
      env: { ...appEnv, OPENAI_API_KEY: 'sk-fake', OPENAI_BASE_URL: fake.url },
      cpuProfileDir: values['cpu-prof'],
    }),
  );
  const chatUrl = `${server.base}/api/chat`;
  const missingUrl = `${server.base}/api/ttft-floor-no-such-route`;
  const referenceUrl = `${server.base}${REFERENCE_RELAY_ROUTE}`;
  const sdk = new OpenAI({ apiKey: 'sk-fake', baseURL: fake.url, maxRetries: 0 });
  const signal = () => AbortSignal.timeout(30_000);

  let checked = 0;
  const chat = async (body: Record<string, unknown>, message: string, url = chatUrl) => {
    const turn = await timedChat(url, body, signal());
    const expected = replyTextFor(message, WORDS);
    const problems = [...turn.problems, ...(turn.text === expected ? [] : [`reply ${JSON.stringify(turn.text.slice(0, 80))} is not what the fake sent`])];
    if (problems.length > 0) throw new StepFailure('a chat turn failed', `${problems.join('\n')}\n--- server log ---\n${tail(server.process.output(), 30)}`);
    checked += 1;
    return turn;
  };

  // The follow-up conversation: FOLLOW_UP_TURNS turns, then every timed follow-up replies under the
  // last one, so each sees the same 8-message history.
  const followUp = await step(`a ${FOLLOW_UP_TURNS * 2}-message conversation for the follow-ups`, async () => {
    let conversationId: string | undefined;
    let parentMessageId: string | undefined;
    for (let turn = 0; turn < FOLLOW_UP_TURNS; turn++) {
      const message = `history turn ${turn}`;
      const answer = await chat({ message, ...(conversationId ? { conversationId, parentMessageId } : {}) }, message);
      const start = answer.events[0]!;
      if (start.type !== 'start') throw new StepFailure('no start event');
      conversationId = start.conversationId;
      parentMessageId = start.assistantMessageId;
    }
    return { conversationId: conversationId!, parentMessageId: parentMessageId! };
  });

  let counter = 0;
  const measure: Record<Kind, () => Promise<number>> = {
    async sdk() {
      const message = `sdk ${counter++}`;
      const started = performance.now();
      const stream = await sdk.chat.completions.create(
        { model: MODEL, stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: message }] },
        { signal: signal() },
      );
      let first = Number.NaN;
      let text = '';
      for await (const chunk of stream) {
        const delta = chunk.choices[0]?.delta?.content;
        if (delta) {
          if (Number.isNaN(first)) first = performance.now() - started;
          text += delta;
        }
      }
      if (text !== replyTextFor(message, WORDS)) throw new StepFailure('the SDK read a different reply than the fake sent');
      return first;
    },
    async next404() {
      const started = performance.now();
      const response = await fetch(missingUrl, { signal: signal() });
      const reader = response.body!.getReader();
      const first = await reader.read();
      const at = performance.now() - started;
      while (!(await reader.read()).done);
      if (response.status !== 404 || first.done) throw new StepFailure(`GET ${missingUrl} answered ${response.status}, not a 404 page`);
      return at;
    },
    async new() {
      const message = `new chat ${counter++}`;
      return (await chat({ message }, message)).firstDeltaMs;
    },
    async followUp() {
      const message = `follow-up ${counter++}`;
      return (await chat({ message, ...followUp }, message)).firstDeltaMs;
    },
    async reference() {
      const message = `reference ${counter++}`;
      return (await chat({ message }, message, referenceUrl)).firstDeltaMs;
    },
  };
  const kinds = Object.keys(measure) as Kind[];
  const iterate = async (count: number) => {
    const samples: Sample[] = [];
    for (let i = 0; i < count; i++) {
      const sample = {} as Sample;
      for (const kind of shuffled(kinds)) sample[kind] = await measure[kind]();
      samples.push(sample);
    }
    return samples;
  };

  await step(`warm up (${WARMUP} iterations)`, () => iterate(WARMUP));
  const loadBefore = os.loadavg()[0]!;
  const samples = await step(`${RUNS} iterations of (a), (b), (c) new, (c) follow-up and (d), shuffled`, () => iterate(RUNS));
  const loadAfter = os.loadavg()[0]!;
  await step('stop the server', async () => {
    await server.process.stop(10_000);
    await fake.process.stop();
  });

  const stats = (values: number[]) => ({ p50: percentile(values, 50), p99: percentile(values, 99) });
  const of = (kind: Kind) => stats(samples.map((s) => s[kind]));
  const over = (kind: 'new' | 'followUp') => stats(samples.map((s) => s[kind] - s.sdk));
  const added = (kind: 'new' | 'followUp') => stats(samples.map((s) => s[kind] - s.sdk - s.next404));
  const overReference = (kind: 'new' | 'followUp') => stats(samples.map((s) => s[kind] - s.reference));
  const rows = {
    new: { ttft: of('new'), over: over('new'), added: added('new'), overReference: overReference('new') },
    followUp: { ttft: of('followUp'), over: over('followUp'), added: added('followUp'), overReference: overReference('followUp') },
  };
  const met = (value: number) => (value < TARGET_MS ? 'yes' : '**no**');

  const section = `${HEADING}

\`npm run bench:ttft\` (\`scripts/ttft-floor.ts\`) measures, through a production \`next start\` (the load
test's build) on the ${STORE === 'postgres' ? 'Postgres store (a fresh database on the local PostgreSQL 15, over its Unix socket)' : 'embedded store (PGlite, on the server\'s own thread)'} with all three limits set, side by side in one run: **(a)** the
fake OpenAI's own time to first token called directly with the official SDK (the fake runs in its
own process and streams ${WORDS} words without delay), **(b)** Next's own 404 for a route that does not
exist (GET, to the first body byte: routing, the app's \`proxy.ts\`, the not-found page), and **(c)**
POST /api/chat to the first \`text-delta\` for a new conversation and for a follow-up (under the same
parent of an ${FOLLOW_UP_TURNS * 2}-message conversation, so every follow-up sees the same history), and **(d)** the
reference route \`${REFERENCE_RELAY_ROUTE}\` to its first \`text-delta\`: in the same server, Next and the
official SDK relaying the fake as the chat's events, with no module code (\`scripts/lib/planted-routes/reference-relay.route.ts\`,
in the benchmark's build copy only). Each iteration runs the five in a shuffled order; the differences are taken per iteration. (c) − (a) is what serving
the turn adds over the provider; (c) − (a) − (b) is **what the module adds on top of Next's own
floor** (target: under ${TARGET_MS} ms at the median for both turns); (c) − (d) is what it adds over a
streaming route of Next's that only relays the provider: the body read, the route's streaming and
the SDK call that (b) leaves out are in both. Every reply is checked whole
(${checked} turns).

Run of ${machine.date} on ${machine.cores} cores (${machine.cpu}), Node ${machine.node}, ${RUNS} iterations after ${WARMUP} warm-up;
load average ${loadBefore.toFixed(2)} at the start of the timed iterations, ${loadAfter.toFixed(2)} at the end (the machine is shared: every figure moves with it).

| measurement | median | p99 |
| --- | --- | --- |
| (a) fake OpenAI through the SDK, first token | ${fmt(of('sdk').p50)} | ${fmt(of('sdk').p99)} |
| (b) Next's 404, first byte | ${fmt(of('next404').p50)} | ${fmt(of('next404').p99)} |
| (c) POST /api/chat, new conversation, first text-delta | ${fmt(rows.new.ttft.p50)} | ${fmt(rows.new.ttft.p99)} |
| (c) POST /api/chat, follow-up, first text-delta | ${fmt(rows.followUp.ttft.p50)} | ${fmt(rows.followUp.ttft.p99)} |
| (d) POST ${REFERENCE_RELAY_ROUTE} (Next + SDK, no module), first text-delta | ${fmt(of('reference').p50)} | ${fmt(of('reference').p99)} |

| added time to first token | median | p99 | target (median) | met |
| --- | --- | --- | --- | --- |
| new conversation: (c) − (a) | ${fmt(rows.new.over.p50)} | ${fmt(rows.new.over.p99)} |  |  |
| new conversation: (c) − (a) − (b), the module on top of Next | ${fmt(rows.new.added.p50)} | ${fmt(rows.new.added.p99)} | < ${TARGET_MS} ms | ${met(rows.new.added.p50)} |
| follow-up: (c) − (a) | ${fmt(rows.followUp.over.p50)} | ${fmt(rows.followUp.over.p99)} |  |  |
| follow-up: (c) − (a) − (b), the module on top of Next | ${fmt(rows.followUp.added.p50)} | ${fmt(rows.followUp.added.p99)} | < ${TARGET_MS} ms | ${met(rows.followUp.added.p50)} |
| new conversation: (c) − (d), the module over Next + SDK alone | ${fmt(rows.new.overReference.p50)} | ${fmt(rows.new.overReference.p99)} |  |  |
| follow-up: (c) − (d), the module over Next + SDK alone | ${fmt(rows.followUp.overReference.p50)} | ${fmt(rows.followUp.overReference.p99)} |  |  |
`;
  console.log(`\n${section}`);
  if (!values['no-write']) {
    await writeDocSection(DOC, HEADING, section);
    console.log(`figures written to ${path.relative(REPO, DOC)} (${HEADING})`);
  }
});
