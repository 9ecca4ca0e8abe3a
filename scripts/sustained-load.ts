/**
 * `npm run test:sustained`: new chats at a steady arrival rate against production `next start`
 * instances, each reply streamed by the fake OpenAI (own process) over about 2 s. Fails unless
 * every reply arrived whole and in order and every conversation, both its messages and its one
 * settled usage row are in the database afterwards. Reports the first-token overhead over the
 * fake's own first token (measured beside the chats, through the official SDK, under the same
 * load), the servers' CPU per chat, their peak RSS, and the reply-run checkpoint rows per reply.
 *
 *   npm run test:sustained                                   # PGlite, 50 chats/s for 20 s
 *   npm run test:sustained -- --store pglite --search        # PGlite: the highest rate whose p99 stays under 1 s
 *   npm run test:sustained -- --store postgres --instances 2 # the local PostgreSQL 15, two servers on one database
 *   npm run test:sustained -- --ci                           # shorter: 8 s per run, for CI
 *   npm run test:sustained -- --store postgres --instances 2 --users 1000  # chats spread over 1,000 users
 *   options: --rate 50 --seconds 20 --reply-ms 2000 --words 36 --no-write --no-reference --cpu-prof DIR --users N
 *
 * After the chats, the same rate runs once more against the reference route (scripts/lib/planted-routes/reference-relay.route.ts:
 * Next and the OpenAI SDK relaying the fake, no module) on the same servers, so the module's share of
 * the CPU and of the first-token overhead is read side by side in one run (not with --ci).
 *
 * The Postgres store runs on a fresh database created by scripts/local-postgres.sh (dropped at the
 * end), with AI_CHAT_AUTH=local-user and the store's own migrations. Loopback addresses only. With
 * --users N the chats go to a route of the build copy whose `authenticate` takes the user from a
 * header (scripts/lib/planted-routes/many-users.route.ts): chat i is user i mod N's, so N users share the load.
 */
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import OpenAI from 'openai';
import { BUILD_ROOT, ensureBuiltCopy } from './lib/built-app-copy';
import { postChatTurn, postChatTurnLean, turnProblems, type ChatTurn } from './lib/chat-turn';
import { sleep, tail } from './lib/child-processes';
import {
  readEmbeddedReplyRows,
  readPostgresReplyRows,
  readPostgresTurns,
  readStoredTurns,
  type ReplyRunRows,
  type StoredTurns,
} from './lib/embedded-data-check';
import { startFakeOpenAIChild } from './lib/fake-openai-child';
import { freshLocalDatabase } from './lib/local-postgres';
import { machineNow, writeDocSection } from './lib/load-report';
import { percentile } from './lib/percentiles';
import { LOAD_USER_HEADER, MANY_USERS_ROUTE, REFERENCE_RELAY_ROUTE } from './lib/planted-routes';
import { sampleMemory, treeCpuTimeMs } from './lib/process-usage';
import { runScript, step, StepFailure } from './lib/run-steps';
import { FAKE_PROMPT_TOKENS, replyTextFor } from './lib/scripted-reply';
import { freshDataDir, startNextServer, type NextServer } from './lib/server-under-test';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const DOC = path.join(REPO, 'docs/benchmarks.md');

const { values } = parseArgs({
  options: {
    store: { type: 'string', default: 'pglite' },
    instances: { type: 'string', default: '1' },
    rate: { type: 'string' },
    seconds: { type: 'string' },
    'reply-ms': { type: 'string', default: '2000' },
    words: { type: 'string', default: '36' },
    search: { type: 'boolean', default: false },
    rates: { type: 'string', default: '10,20,30,40,50' },
    ci: { type: 'boolean', default: false },
    'no-write': { type: 'boolean', default: false },
    'no-reference': { type: 'boolean', default: false },
    'cpu-prof': { type: 'string' },
    users: { type: 'string', default: '0' },
  },
});
const STORE = values.store === 'postgres' ? 'postgres' : values.store === 'pglite' ? 'pglite' : null;
if (!STORE) throw new Error(`--store must be pglite or postgres, not ${values.store}`);
const INSTANCES = Number(values.instances);
if (STORE === 'pglite' && INSTANCES !== 1) throw new Error('PGlite is one process: --instances 2 needs --store postgres');
const SECONDS = Number(values.seconds ?? (values.ci ? 8 : 20));
const RATES = values.search ? values.rates.split(',').map(Number) : [Number(values.rate ?? (values.ci ? 20 : 50))];
const WORDS = Number(values.words);
// Frames on the OpenAI wire: the role frame, one per word, finish, usage, [DONE].
const DELAY_MS = Math.max(1, Math.round(Number(values['reply-ms']) / (WORDS + 4)));
const REPLY_MS = (WORDS + 4) * DELAY_MS;
/** The p99 a rate must keep to count as sustained, in the PGlite search. */
const P99_LIMIT_MS = 1_000;
const MODEL = 'gpt-4o-mini';
const REFERENCE = !values['no-reference'] && !values.ci;
/** Users the chats are spread over (the many-users route); 0: the one local user. */
const USERS = Number(values.users);
if (!Number.isInteger(USERS) || USERS < 0) throw new Error(`--users must be a whole number, not ${values.users}`);
const CHAT_ROUTE = USERS > 0 ? MANY_USERS_ROUTE : '/api/chat';

interface Phase {
  rate: number;
  /** The reference route (Next + SDK, no module), not the chat. */
  reference: boolean;
  chats: number;
  ok: number;
  failures: string[];
  /** First text-delta minus the fake's own median first token during the phase, ms. */
  overhead: { p50: number; p99: number; max: number };
  ttft: { p50: number; p99: number };
  fakeTtft: { p50: number; p99: number; samples: number };
  /** How late the generator sent a chat, at worst (the generator shares the cores too). */
  maxSendLagMs: number;
  /** From the first send to the last reply's end. */
  wallMs: number;
  cpuMsPerChat: number;
  /** Busy share of one core over the phase, per server. */
  cpuShare: number[];
  peakRssKiB: number[];
  loadAverage: number;
  turns: { message: string; turn: ChatTurn }[];
}

const ms = (value: number) => (value >= 1_000 ? `${(value / 1_000).toFixed(2)} s` : `${value.toFixed(1)} ms`);
const mib = (kib: number) => `${(kib / 1024).toFixed(0)} MiB`;

runScript('sustained load', 40 * 60_000, async () => {
  const machine = machineNow();
  const runId = Date.now().toString(36);
  const label =
    (STORE === 'pglite' ? 'PGlite (embedded), one server' : `PostgreSQL 15, ${INSTANCES} server${INSTANCES > 1 ? 's' : ''} on one database`) +
    (USERS > 0 ? `, ${USERS.toLocaleString('en')} users` : '');

  const copy = await step('production build (a copy of the working tree, not the repo’s .next)', async () => {
    const built = await ensureBuiltCopy(REPO, {
      NODE_ENV: 'production',
      NEXT_TELEMETRY_DISABLED: '1',
      AI_CHAT_STORE: 'embedded',
      AI_CHAT_DATA_DIR: path.join(BUILD_ROOT, 'build-data'),
    }, { needsReferenceRoute: REFERENCE || USERS > 0 });
    console.log(
      built.dir === REPO
        ? `  AI_CHAT_PREBUILT=1: started from ${path.join(REPO, '.next')} as it stands`
        : `  ${built.built ? 'built' : 'reused the build of the same sources'} in ${built.dir}`,
    );
    return built;
  });

  let storeEnv: Record<string, string>;
  let databaseUrl: string | undefined;
  let dataDir: string | undefined;
  if (STORE === 'postgres') {
    const database = await step('a fresh database on the local PostgreSQL', () => freshLocalDatabase());
    if (database.url === null) throw new StepFailure(`no local PostgreSQL: ${database.why}`);
    databaseUrl = database.url;
    storeEnv = { AI_CHAT_STORE: 'postgres', DATABASE_URL: databaseUrl, AI_CHAT_AUTH: 'local-user', AI_CHAT_DATABASE_MIGRATE: 'on' };
  } else {
    dataDir = await freshDataDir('ai-chat-sustained-data-');
    storeEnv = { AI_CHAT_STORE: 'embedded', AI_CHAT_DATA_DIR: dataDir };
  }

  const fake = await step(`start the fake OpenAI (own process, ${WORDS} words, ${DELAY_MS} ms per frame: ${REPLY_MS} ms a reply)`, () =>
    startFakeOpenAIChild({ words: WORDS, delayMs: DELAY_MS }),
  );
  const servers: NextServer[] = [];
  for (let index = 0; index < INSTANCES; index++) {
    servers.push(
      await step(`start next start #${index + 1} and warm it up`, async () => {
        const server = await startNextServer({
          appDir: copy.dir,
          name: `next start #${index + 1}`,
          env: { ...storeEnv, OPENAI_API_KEY: 'sk-fake', OPENAI_BASE_URL: fake.url, AI_CHAT_OPENAI_MODELS: MODEL },
          cpuProfileDir: values['cpu-prof'],
        });
        // A few chats one by one, then a small burst: the database opened, the hot paths compiled.
        for (let i = 0; i < 3; i++) await checkedTurn(server, `warm-up ${index}.${i} ${runId}`);
        await Promise.all(Array.from({ length: 10 }, (_, i) => checkedTurn(server, `warm-up burst ${index}.${i} ${runId}`)));
        return server;
      }),
    );
  }
  const warmUps = INSTANCES * 13;

  async function checkedTurn(server: NextServer, message: string): Promise<ChatTurn> {
    // Through the route the phases use, so its first compile is not billed to the first phase.
    const turn =
      USERS > 0
        ? await postChatTurnLean(server.base, { message }, AbortSignal.timeout(60_000), CHAT_ROUTE, { [LOAD_USER_HEADER]: 'load-user-warm-up' })
        : await postChatTurn(server.base, { message }, AbortSignal.timeout(60_000));
    const problems = turnProblems(turn, replyTextFor(message, WORDS));
    if (problems.length > 0) throw new StepFailure(`a warm-up chat failed on ${server.base}`, `${problems.join('\n')}\n${tail(server.process.output())}`);
    return turn;
  }

  const sdk = new OpenAI({ apiKey: 'sk-fake', baseURL: fake.url, maxRetries: 0 });
  /** The fake's own first token, through the SDK, for a message of the same shape. */
  const fakeFirstToken = async (message: string): Promise<number> => {
    const started = performance.now();
    const stream = await sdk.chat.completions.create(
      { model: MODEL, stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: message }] },
      { signal: AbortSignal.timeout(60_000) },
    );
    let first = Number.NaN;
    for await (const chunk of stream) if (Number.isNaN(first) && chunk.choices[0]?.delta?.content) first = performance.now() - started;
    return first;
  };

  const runPhase = async (rate: number, route = CHAT_ROUTE): Promise<Phase> => {
    const reference = route === REFERENCE_RELAY_ROUTE;
    const chats = Math.round(rate * SECONDS);
    const messages = Array.from({ length: chats }, (_, index) => `sustained${reference ? ' reference' : ''} ${rate}/s chat ${index}, run ${runId}`);
    const cpuBefore = servers.map((server) => treeCpuTimeMs(server.process.pid));
    const samplers = servers.map((server) => sampleMemory(server.process.pid, 250));
    const loadAverage = os.loadavg()[0]!;
    const stopAll = AbortSignal.timeout(SECONDS * 1000 + 120_000);
    const fakeSamples: number[] = [];
    let sending = true;
    const probing = (async () => {
      // The fake's own first token, 5 times a second while the chats arrive.
      for (let i = 0; sending; i++) {
        fakeSamples.push(await fakeFirstToken(`probe ${rate}/s ${i} ${runId}`));
        await sleep(200);
      }
    })();
    const started = performance.now();
    let maxSendLagMs = 0;
    const outcomes = await Promise.allSettled(
      messages.map(async (message, index) => {
        const due = (index * 1000) / rate;
        const wait = due - (performance.now() - started);
        if (wait > 0) await sleep(wait);
        maxSendLagMs = Math.max(maxSendLagMs, performance.now() - started - due);
        if (index === messages.length - 1) sending = false;
        // node:http, not fetch: the generator shares the cores with the servers it measures.
        const user: Record<string, string> = USERS > 0 && !reference ? { [LOAD_USER_HEADER]: `load-user-${index % USERS}` } : {};
        return postChatTurnLean(servers[index % servers.length]!.base, { message }, stopAll, route, user);
      }),
    );
    const wallMs = performance.now() - started;
    sending = false;
    await probing;
    const cpuMs = servers.map((server, index) => treeCpuTimeMs(server.process.pid) - cpuBefore[index]!);
    const peaks = samplers.map((sampler) => sampler.stop());

    const failures: string[] = [];
    const turns: Phase['turns'] = [];
    outcomes.forEach((outcome, index) => {
      const message = messages[index]!;
      if (outcome.status === 'rejected') {
        const reason = outcome.reason as Error;
        failures.push(`chat ${index}: request failed: ${reason.name}: ${reason.message}${reason.cause ? ` (${String(reason.cause)})` : ''}`);
        return;
      }
      turns.push({ message, turn: outcome.value });
      for (const problem of turnProblems(outcome.value, replyTextFor(message, WORDS))) failures.push(`chat ${index}: ${problem}`);
    });
    const fakeMedian = percentile(fakeSamples, 50);
    const ttfts = turns.flatMap(({ turn }) => (turn.firstDeltaMs === undefined ? [] : [turn.firstDeltaMs]));
    const overheads = ttfts.map((ttft) => ttft - fakeMedian);
    const phase: Phase = {
      rate,
      reference,
      chats,
      ok: chats - new Set(failures.map((line) => line.split(':')[0])).size,
      failures,
      overhead: { p50: percentile(overheads, 50), p99: percentile(overheads, 99), max: Math.max(...overheads) },
      ttft: { p50: percentile(ttfts, 50), p99: percentile(ttfts, 99) },
      fakeTtft: { p50: fakeMedian, p99: percentile(fakeSamples, 99), samples: fakeSamples.length },
      maxSendLagMs,
      wallMs,
      cpuMsPerChat: cpuMs.reduce((a, b) => a + b, 0) / chats,
      cpuShare: cpuMs.map((cpu) => cpu / wallMs),
      peakRssKiB: peaks.map((peak) => peak.treeRssKiB),
      loadAverage,
      turns,
    };
    console.log(
      `  ${reference ? 'reference ' : ''}${rate}/s for ${SECONDS} s: ${phase.ok}/${chats} whole; first-token overhead p50 ${ms(phase.overhead.p50)} p99 ${ms(phase.overhead.p99)} ` +
        `(fake's own ${ms(fakeMedian)}); CPU ${phase.cpuMsPerChat.toFixed(1)} ms/chat (${phase.cpuShare.map((share) => `${(100 * share).toFixed(0)}%`).join(' + ')} of a core); ` +
        `peak RSS ${phase.peakRssKiB.map(mib).join(' + ')}; send lag ≤ ${ms(maxSendLagMs)}; load ${loadAverage.toFixed(1)}`,
    );
    return phase;
  };

  const phases: Phase[] = [];
  for (const rate of RATES) {
    const phase = await step(`${rate} new chats/s for ${SECONDS} s (${Math.round(rate * SECONDS)} chats)`, () => runPhase(rate));
    phases.push(phase);
    if (phase.failures.length > 0) {
      throw new StepFailure(
        `${phase.failures.length} problem(s) at ${rate} chats/s`,
        `${phase.failures.slice(0, 15).join('\n')}\n--- server log ---\n${servers.map((server) => tail(server.process.output(), 20)).join('\n')}`,
      );
    }
    if (values.search && phase.overhead.p99 >= P99_LIMIT_MS) break;
  }
  const chatPhases = [...phases];
  if (REFERENCE) {
    const rate = chatPhases.at(-1)!.rate;
    const phase = await step(`reference: the same ${rate}/s through Next and the OpenAI SDK alone (${REFERENCE_RELAY_ROUTE}, no module)`, () =>
      runPhase(rate, REFERENCE_RELAY_ROUTE),
    );
    if (phase.failures.length > 0) throw new StepFailure(`${phase.failures.length} problem(s) on the reference route`, phase.failures.slice(0, 15).join('\n'));
    phases.push(phase);
  }

  const expected = chatPhases.flatMap((phase) => phase.turns);
  const ids = expected.map(({ turn }) => turn.start!.conversationId);
  let stored: StoredTurns;
  let replyRows: ReplyRunRows | null;
  if (STORE === 'postgres') {
    // Replies end, then their settle and save follow: wait for the last writes before reading.
    await sleep(1_500);
    stored = await step('read every conversation back from PostgreSQL', () => readPostgresTurns(databaseUrl!, ids));
    replyRows = await readPostgresReplyRows(databaseUrl!);
    await step('stop the servers', async () => {
      for (const server of servers) await server.process.stop(10_000);
      await fake.process.stop();
    });
  } else {
    await step('stop the server', async () => {
      await servers[0]!.process.stop(10_000);
      await fake.process.stop();
    });
    stored = await step('read every conversation back from the PGlite folder', () => readStoredTurns(dataDir!, ids));
    replyRows = await readEmbeddedReplyRows(dataDir!);
  }
  const problems: string[] = [];
  if (stored.conversations !== ids.length) problems.push(`${stored.conversations} conversations stored, expected ${ids.length}`);
  for (const { message, turn } of expected) {
    const id = turn.start!.conversationId;
    const rows = stored.messages.get(id) ?? [];
    const user = rows.find((row) => row.role === 'user');
    const assistant = rows.find((row) => row.role === 'assistant');
    if (rows.length !== 2 || user?.content !== message || assistant?.content !== replyTextFor(message, WORDS) || assistant.status !== 'complete') {
      problems.push(`conversation ${id}: messages ${rows.map((row) => `${row.role}:${row.status}`).join(',') || 'none'}`);
    }
    const usage = stored.usage.get(id) ?? [];
    if (usage.length !== 1 || usage[0]!.status !== 'settled' || usage[0]!.promptTokens !== FAKE_PROMPT_TOKENS || usage[0]!.completionTokens !== WORDS) {
      problems.push(`conversation ${id}: usage rows ${JSON.stringify(usage)}`);
    }
  }
  if (problems.length > 0) throw new StepFailure(`${problems.length} persistence problem(s)`, problems.slice(0, 15).join('\n'));
  const errorLines = servers.flatMap((server) => server.process.output().split('\n').filter((line) => /\b(error|unhandled|exception)\b/i.test(line)));
  if (errorLines.length > 0) throw new StepFailure(`the servers logged ${errorLines.length} error line(s)`, errorLines.slice(0, 30).join('\n'));
  console.log(`  verified: ${ids.length} conversations, each with its question, its whole reply and one settled usage row`);

  const replies = expected.length + warmUps;
  const checkpoints = replyRows
    ? STORE === 'postgres'
      ? `${((replyRows.eventInserts + replyRows.runInserts + replyRows.runUpdates) / replies).toFixed(1)} rows written per reply ` +
        `(${(replyRows.eventInserts / replies).toFixed(1)} checkpoint chunks inserted, ${(replyRows.runUpdates / replies).toFixed(1)} run updates, ` +
        `${(replyRows.runInserts / replies).toFixed(1)} run inserts; pg_stat_user_tables over ${replies} replies)`
      : `${(replyRows.eventRows / replies).toFixed(1)} checkpoint chunk rows per reply (${replyRows.eventRows} rows for ${replyRows.runs} runs, counted in the folder after the run)`
    : 'no reply-run tables in this build (before durable replies)';

  const sustained = chatPhases.filter((phase) => phase.overhead.p99 < P99_LIMIT_MS);
  const best = sustained.at(-1);
  const rows = phases
    .map(
      (phase) =>
        `| ${phase.reference ? 'reference (Next + SDK, no module): ' : ''}${phase.rate}/s × ${SECONDS} s | ${phase.ok}/${phase.chats} | ${ms(phase.fakeTtft.p50)} | ${ms(phase.overhead.p50)} | ${ms(phase.overhead.p99)} | ` +
        `${phase.cpuMsPerChat.toFixed(1)} ms | ${phase.cpuShare.map((share) => `${(100 * share).toFixed(0)}%`).join(' + ')} | ` +
        `${phase.peakRssKiB.map(mib).join(' + ')} | ${ms(phase.maxSendLagMs)} | ${phase.loadAverage.toFixed(1)} |`,
    )
    .join('\n');
  const heading = `## Sustained load: ${label}`;
  const targets =
    STORE === 'postgres'
      ? `Targets (issue 12): p99 first-token overhead under 100 ms (${chatPhases.every((phase) => phase.overhead.p99 < 100) ? 'met' : '**not met**'}) ` +
        `and under 8 ms of server CPU per chat (${chatPhases.every((phase) => phase.cpuMsPerChat < 8) ? 'met' : '**not met**'}).`
      : best
        ? `Highest steady rate tried whose p99 first-token overhead stayed under 1 s: **${best.rate} chats/s**, at ${best.cpuMsPerChat.toFixed(1)} ms of server CPU per chat.`
        : 'No rate tried kept the p99 first-token overhead under 1 s.';
  const referencePhase = phases.find((phase) => phase.reference);
  const lastChat = chatPhases.at(-1)!;
  const moduleShare = referencePhase
    ? `\n\nThe reference row is the same arrival rate on the same servers through \`${REFERENCE_RELAY_ROUTE}\` (scripts/lib/planted-routes/reference-relay.route.ts): ` +
      `Next and the official OpenAI SDK relaying the fake's stream as the chat's events, with no module code. At ${lastChat.rate}/s the module adds ` +
      `${(lastChat.cpuMsPerChat - referencePhase.cpuMsPerChat).toFixed(1)} ms of CPU per chat on top of the reference's ${referencePhase.cpuMsPerChat.toFixed(1)} ms, ` +
      `and ${ms(lastChat.overhead.p50 - referencePhase.overhead.p50)} to the median first-token overhead.`
    : '';
  const section = `${heading}

\`npm run test:sustained -- ${process.argv.slice(2).join(' ')}\` (\`scripts/sustained-load.ts\`): new chats arrive at a steady rate (each
sent at its time, whatever the others are doing), split evenly between the servers, each a new
conversation whose reply the fake OpenAI (its own process) streams as ${WORDS} words with ${DELAY_MS} ms before
each frame (${ms(REPLY_MS)} a reply). First-token overhead = a chat's first \`text-delta\` minus the fake's own
median first token, measured through the OpenAI SDK 5 times a second beside the chats (the chats
themselves are read over \`node:http\`, which costs the generator less CPU than fetch). CPU is the
servers' process trees (\`/proc/<pid>/stat\`) from the first chat sent to the last reply's end, divided by
the chats; the load generator and the fake share the machine's ${machine.cores} cores with them. Every reply was
checked whole and in order, and every conversation read back from the database with its question,
its whole reply and one settled usage row (${ids.length} conversations).

Run of ${machine.date}, Node ${machine.node}, ${machine.cpu}; load average at the start of each run in the table.

| arrival | whole | fake's own first token | overhead p50 | overhead p99 | server CPU per chat | CPU share of a core | peak RSS | worst send lag | load |
| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |
${rows}

Checkpoint writes: ${checkpoints}.${moduleShare}

${targets}
`;
  console.log(`\n${section}`);
  if (!values['no-write'] && !values.ci) {
    await writeDocSection(DOC, heading, section);
    console.log(`figures written to ${path.relative(REPO, DOC)} (${heading})`);
  }
});
