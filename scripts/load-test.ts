/**
 * `npm run test:load`: one production `next start` on the embedded store, N chats at once against
 * a fake OpenAI in its own process, each a new conversation. Fails unless every reply arrived whole
 * and in order, every stream finished, nothing answered 5xx, and every conversation, both its
 * messages and its usage row were saved (checked over REST, then in the PGlite folder once the
 * server has stopped). Prints throughput, time to first token, time per chat, the server's peak
 * memory, and writes them to the "## Load" section at the end of docs/benchmarks.md.
 *
 *   npm run test:load [-- --chats 200 --words 80 --delay-ms 20 --timeout-s 120 --no-write]
 *   npm run test:load -- --no-write --cpu-prof /tmp/prof   (the server writes a V8 CPU profile there)
 *   npm run test:load -- --no-postgres                      (skip the two-instance checks)
 *
 * Then, when the machine has a PostgreSQL (scripts/local-postgres.sh), two `next start` on one
 * fresh database (scripts/lib/two-instances.ts): a reply begun on one is followed and stopped
 * from the other, a SIGKILLed instance's reply is marked interrupted by the other, and a
 * tokens-per-day limit holds across both under 50 concurrent chats split between them.
 *
 * The build happens in a copy of the working tree in $TMPDIR/ai-chat-load-build-<hash>, never in the
 * repo's .next, and is reused while the app's sources are unchanged. Loopback addresses only.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { conversationDetailSchema, usageResponseSchema } from '../features/ai-chat/protocol/rest';
import { BUILD_ROOT, ensureBuiltCopy } from './lib/built-app-copy';
import { postChatTurn, turnProblems, type ChatTurn } from './lib/chat-turn';
import { tail } from './lib/child-processes';
import { readStoredTurns } from './lib/embedded-data-check';
import { startFakeOpenAIChild } from './lib/fake-openai-child';
import { loadSection, machineNow, writeLoadSection, type LoadFigures } from './lib/load-report';
import { percentile } from './lib/percentiles';
import { startNextServer } from './lib/server-under-test';
import { cpuTimeMs, openFileLimit, sampleMemory } from './lib/process-usage';
import { onCleanup, runScript, step, StepFailure } from './lib/run-steps';
import { FAKE_PROMPT_TOKENS, replyTextFor } from './lib/scripted-reply';
import { checkTwoInstances, twoInstanceSupport, type TwoInstanceFigures } from './lib/two-instances';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const DOC = path.join(REPO, 'docs/benchmarks.md');

const { values } = parseArgs({
  options: {
    chats: { type: 'string', default: '200' },
    words: { type: 'string', default: '80' },
    'delay-ms': { type: 'string', default: '20' },
    'timeout-s': { type: 'string', default: '120' },
    'no-write': { type: 'boolean', default: false },
    'cpu-prof': { type: 'string' },
    'no-postgres': { type: 'boolean', default: false },
  },
});
const CHATS = Number(values.chats);
const SHAPE = { words: Number(values.words), delayMs: Number(values['delay-ms']) };
const TIMEOUT_MS = Number(values['timeout-s']) * 1000;
// Frames per reply on the OpenAI wire: the role frame, one per word, finish, usage, [DONE].
const FLOOR_MS = (SHAPE.words + 4) * SHAPE.delayMs;

/** Runs `work` over `items` with at most `limit` in flight. */
async function inBatches<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = await work(items[index]!);
      }
    }),
  );
  return results;
}

const failuresOf = (list: readonly string[], max = 15) =>
  `${list.slice(0, max).join('\n')}${list.length > max ? `\n… and ${list.length - max} more` : ''}`;

runScript('load test', 20 * 60_000, async () => {
  const machine = machineNow();
  const runId = Date.now().toString(36);
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'ai-chat-load-data-'));
  onCleanup('remove the data folder', () => rm(dataDir, { recursive: true, force: true }));
  const appEnv = {
    NODE_ENV: 'production',
    NEXT_TELEMETRY_DISABLED: '1',
    AI_CHAT_STORE: 'embedded',
    AI_CHAT_DATA_DIR: dataDir,
  };

  const copy = await step('production build (a copy of the working tree, not the repo’s .next)', async () => {
    const built = await ensureBuiltCopy(
      REPO,
      { ...appEnv, AI_CHAT_DATA_DIR: path.join(BUILD_ROOT, 'build-data') },
      { needsReferenceRoute: false },
    );
    console.log(
      built.dir === REPO
        ? `  AI_CHAT_PREBUILT=1: started from ${path.join(REPO, '.next')} as it stands`
        : `  ${built.built ? 'built' : 'reused the build of the same sources'} in ${built.dir}`,
    );
    return built;
  });

  const fake = await step(`start the fake OpenAI (own process, ${SHAPE.words} words, ${SHAPE.delayMs} ms per frame)`, () => startFakeOpenAIChild(SHAPE));

  const started = await step('start next start and warm it up (one chat)', () =>
    startNextServer({
      appDir: copy.dir,
      env: { ...appEnv, OPENAI_API_KEY: 'sk-fake', OPENAI_BASE_URL: fake.url },
      cpuProfileDir: values['cpu-prof'],
    }),
  );
  const { base, process: server } = started;
  // The warm-up chat opens the database (migrations) and compiles the hot paths; it is checked like
  // the others but not timed.
  const warmMessage = `load warm-up ${runId}`;
  const warmUp = await postChatTurn(base, { message: warmMessage }, AbortSignal.timeout(60_000));
  const warmProblems = turnProblems(warmUp, replyTextFor(warmMessage, SHAPE.words));
  if (warmProblems.length > 0) throw new StepFailure('the warm-up chat failed', `${warmProblems.join('\n')}\n${tail(server.output())}`);

  const messages = Array.from({ length: CHATS }, (_, index) => `load chat ${index} of ${CHATS}, run ${runId}`);
  let wallMs = 0;
  const memory = sampleMemory(server.pid);
  const rssBefore = memory.stop();
  const sampler = sampleMemory(server.pid);
  const cpuBefore = cpuTimeMs(server.pid);
  const outcomes = await step(`${CHATS} chats at once`, async () => {
    const stopAll = AbortSignal.timeout(TIMEOUT_MS);
    const started = performance.now();
    const monotonicStart = process.hrtime.bigint();
    const settled = await Promise.allSettled(messages.map((message) => postChatTurn(base, { message }, stopAll)));
    wallMs = performance.now() - started;
    if (values['cpu-prof']) {
      // The CPU profile's timestamps are the same monotonic clock, in µs: this window selects the chats.
      console.log(`  chats ran from ${monotonicStart / 1000n} to ${process.hrtime.bigint() / 1000n} µs (monotonic clock)`);
    }
    return settled;
  });
  const serverCpuMs = cpuTimeMs(server.pid) - cpuBefore;
  const peak = sampler.stop();
  const fileLimit = openFileLimit(server.pid);

  const failures: string[] = [];
  const turns: { message: string; turn: ChatTurn }[] = [];
  outcomes.forEach((outcome, index) => {
    const message = messages[index]!;
    if (outcome.status === 'rejected') {
      const reason = outcome.reason as Error;
      failures.push(`chat ${index}: request failed: ${reason.name}: ${reason.message}${reason.cause ? ` (${String(reason.cause)})` : ''}`);
      return;
    }
    turns.push({ message, turn: outcome.value });
    for (const problem of turnProblems(outcome.value, replyTextFor(message, SHAPE.words))) failures.push(`chat ${index}: ${problem}`);
  });
  const status5xx = turns.filter(({ turn }) => turn.status >= 500).length;
  const starts = turns.flatMap(({ turn }) => (turn.startMs === undefined ? [] : [turn.startMs]));
  const ttfts = turns.flatMap(({ turn }) => (turn.firstDeltaMs === undefined ? [] : [turn.firstDeltaMs]));
  const totals = turns.map(({ turn }) => turn.totalMs);
  const deltas = turns.reduce((sum, { turn }) => sum + turn.deltas, 0);
  console.log(
    `  ${turns.length - failures.length}/${CHATS} whole and in order in ${(wallMs / 1000).toFixed(2)} s; ` +
      `start event p50 ${percentile(starts, 50).toFixed(0)} ms p99 ${percentile(starts, 99).toFixed(0)} ms; ` +
      `first token p50 ${percentile(ttfts, 50).toFixed(0)} ms p99 ${percentile(ttfts, 99).toFixed(0)} ms; ` +
      `whole chat p50 ${percentile(totals, 50).toFixed(0)} ms p99 ${percentile(totals, 99).toFixed(0)} ms (floor ${FLOOR_MS} ms); ` +
      `server CPU ${(serverCpuMs / 1000).toFixed(2)} s (${((100 * serverCpuMs) / wallMs).toFixed(0)}% of one core)`,
  );
  if (failures.length > 0) {
    throw new StepFailure(`${failures.length} of ${CHATS} chats failed (${status5xx} answered 5xx)`, `${failuresOf(failures)}\n--- server log ---\n${tail(server.output(), 40)}`);
  }

  const expected = [{ message: warmMessage, turn: warmUp }, ...turns];
  await step('every conversation is saved (REST)', async () => {
    const problems: string[] = [];
    await inBatches(expected, 16, async ({ message, turn }) => {
      const id = turn.start!.conversationId;
      const response = await fetch(`${base}/api/chat/conversations/${id}`, { signal: AbortSignal.timeout(30_000) });
      if (!response.ok) {
        problems.push(`GET conversation ${id}: HTTP ${response.status}`);
        return;
      }
      const detail = conversationDetailSchema.parse(await response.json());
      const shape = detail.messages.map((m) => `${m.role}:${m.status}`).join(',');
      const [user, assistant] = detail.messages;
      if (detail.messages.length !== 2 || user?.content !== message || assistant?.content !== turn.text || assistant.status !== 'complete') {
        problems.push(`conversation ${id} holds [${shape}], not the user message and its complete reply`);
      }
    });
    const usage = usageResponseSchema.parse(await (await fetch(`${base}/api/chat/usage`, { signal: AbortSignal.timeout(30_000) })).json());
    const tokens = expected.length * (FAKE_PROMPT_TOKENS + SHAPE.words);
    console.log(`  usage this month: ${usage.usage.requestsThisMonth} requests, ${usage.usage.tokensThisMonth} tokens (this run: ${expected.length}, ${tokens})`);
    if (usage.usage.requestsThisMonth !== expected.length || usage.usage.tokensThisMonth !== tokens) {
      problems.push(`GET /api/chat/usage: ${usage.usage.requestsThisMonth} requests and ${usage.usage.tokensThisMonth} tokens, expected ${expected.length} and ${tokens}`);
    }
    if (problems.length > 0) throw new StepFailure(`${problems.length} persistence problem(s) over REST`, failuresOf(problems));
  });

  await step('stop the server', async () => {
    await server.stop(10_000);
  });
  const serverErrors = server.output().split('\n').filter((line) => /\b(error|unhandled|exception)\b/i.test(line));
  if (serverErrors.length > 0) throw new StepFailure(`the server logged ${serverErrors.length} error line(s)`, failuresOf(serverErrors, 30));

  const verified = await step('every conversation, message and usage row is in the PGlite folder', async () => {
    const ids = expected.map(({ turn }) => turn.start!.conversationId);
    const stored = await readStoredTurns(dataDir, ids);
    const problems: string[] = [];
    if (stored.conversations !== ids.length) problems.push(`${stored.conversations} conversations stored, expected ${ids.length}`);
    let messageCount = 0;
    let usageCount = 0;
    for (const { message, turn } of expected) {
      const id = turn.start!.conversationId;
      const rows = stored.messages.get(id) ?? [];
      messageCount += rows.length;
      const user = rows.find((row) => row.role === 'user');
      const assistant = rows.find((row) => row.role === 'assistant');
      if (rows.length !== 2 || user?.content !== message || assistant?.content !== replyTextFor(message, SHAPE.words) || assistant.status !== 'complete') {
        problems.push(`conversation ${id}: messages ${rows.map((row) => `${row.role}:${row.status}`).join(',') || 'none'}`);
      }
      const usage = stored.usage.get(id) ?? [];
      usageCount += usage.length;
      const settled = usage.filter((row) => row.status === 'settled' && row.promptTokens === FAKE_PROMPT_TOKENS && row.completionTokens === SHAPE.words);
      if (usage.length !== 1 || settled.length !== 1) {
        problems.push(`conversation ${id}: usage rows ${JSON.stringify(usage)}, expected one settled row of ${FAKE_PROMPT_TOKENS}+${SHAPE.words} tokens`);
      }
    }
    if (problems.length > 0) throw new StepFailure(`${problems.length} persistence problem(s) in the data folder`, failuresOf(problems));
    return { conversations: stored.conversations, messages: messageCount, usageRows: usageCount };
  });

  let twoInstances: TwoInstanceFigures | null = null;
  const unsupported = twoInstanceSupport(REPO);
  if (values['no-postgres']) console.log('• two servers on one PostgreSQL: skipped (--no-postgres)');
  else if (unsupported) console.log(`• two servers on one PostgreSQL: skipped (${unsupported})`);
  else twoInstances = await checkTwoInstances({ repo: REPO, appDir: copy.dir, fakeUrl: fake.url });
  await fake.process.stop();

  const figures: LoadFigures = {
    ...machine,
    chats: CHATS,
    words: SHAPE.words,
    delayMs: SHAPE.delayMs,
    floorMs: FLOOR_MS,
    wallMs,
    serverCpuMs,
    deltas,
    startEvent: { p50: percentile(starts, 50), p99: percentile(starts, 99) },
    ttft: { p50: percentile(ttfts, 50), p99: percentile(ttfts, 99), max: Math.max(...ttfts) },
    total: { p50: percentile(totals, 50), p99: percentile(totals, 99), max: Math.max(...totals) },
    rss: { treeKiB: peak.treeRssKiB, hwmKiB: peak.maxHwmKiB, processes: peak.processes, beforeKiB: rssBefore.treeRssKiB },
    openFiles: { peak: peak.openFiles, limit: fileLimit },
    errors: failures.length,
    status5xx,
    verified,
  };
  const section = loadSection(figures, twoInstances);
  console.log(`\n${section}`);
  if (!values['no-write']) {
    await writeLoadSection(DOC, section);
    console.log(`figures written to ${path.relative(REPO, DOC)} (## Load)`);
  }
});
