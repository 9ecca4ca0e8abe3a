import { existsSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { z } from 'zod';
import { conversationDetailSchema } from '../../features/ai-chat/protocol/rest';
import { followReply, postChatTurn, turnProblems, type ChatTurn } from './chat-turn';
import { sleep, tail } from './child-processes';
import { freshLocalDatabase } from './local-postgres';
import { step, StepFailure } from './run-steps';
import { FAKE_PROMPT_TOKENS, replyTextFor } from './scripted-reply';
import { startNextServer, type NextServer } from './server-under-test';

/**
 * Two `next start` on one PostgreSQL database (the durable-replies contract, issue 12): a reply
 * begun on one is followed and stopped from the other, a killed instance's reply is marked
 * interrupted by the other, and a tokens-per-day limit holds across both under 50 concurrent
 * requests split between them.
 */

const stopResponseSchema = z.object({ id: z.string(), state: z.enum(['stopping', 'finished']) });
/** Stop must be honoured within a second (one stop poll every 250 ms); the slack is the machine's. */
const STOP_WITHIN_MS = 1_500;
/** The default stale window (staleReplySeconds 10) plus the sweeper's interval (5 s) and the follower's poll. */
const INTERRUPTED_WITHIN_MS = 20_000;
const LIMIT_CHATS = 50;
// Long enough that a reservation (our prompt count + maxTokens) is within a few tokens of the bill
// (the fake's 24 prompt tokens + the words), so a limit that leaked between servers would show.
const LIMIT_REPLY_WORDS = 200;
const LIMIT_ALLOWED_TURNS = 20;

export interface TwoInstanceFigures {
  followed: { words: number; lagMs: number };
  stop: { honouredMs: number; words: number };
  interrupted: { afterKillMs: number; words: number; completionTokens: number };
  limit: { limit: number; allowed: number; refused: number; billed: number; bound: number };
}

export interface TwoInstanceOptions {
  repo: string;
  appDir: string;
  fakeUrl: string;
}

/** Whether this tree has what the checks need: the Postgres store and durable replies. */
export function twoInstanceSupport(repo: string): string | null {
  const needed = ['features/ai-chat/store/postgres/postgres-chat-store.ts', 'features/ai-chat/server/replies/reply-routes.ts'];
  const missing = needed.filter((file) => !existsSync(path.join(repo, file)));
  return missing.length === 0 ? null : `this tree has no ${missing.map((file) => path.basename(file)).join(' or ')} yet`;
}

const json = (body: unknown) => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

/** Runs the checks; returns null (and says why) when there is no local PostgreSQL. */
export async function checkTwoInstances(options: TwoInstanceOptions): Promise<TwoInstanceFigures | null> {
  const database = await step('a fresh database on the local PostgreSQL', () => freshLocalDatabase());
  if (database.url === null) {
    console.log(`  skipped the two-instance checks: no local PostgreSQL (${database.why})`);
    return null;
  }
  const url = database.url;
  const start = (name: string, extra: Record<string, string> = {}) =>
    startNextServer({
      appDir: options.appDir,
      name,
      env: {
        AI_CHAT_STORE: 'postgres',
        DATABASE_URL: url,
        AI_CHAT_AUTH: 'local-user',
        AI_CHAT_DATABASE_MIGRATE: 'on',
        OPENAI_API_KEY: 'sk-fake',
        OPENAI_BASE_URL: options.fakeUrl,
        ...extra,
      },
    });
  const runId = Date.now().toString(36);
  const logs = (...servers: NextServer[]) => servers.map((server) => `--- ${server.process.name} ---\n${tail(server.process.output(), 25)}`).join('\n');

  // One first, so the migrations run once; then the second.
  let [a, b] = await step('start two next start on one database', async () => {
    const first = await start('next start A');
    await warm(first, `warm A ${runId}`);
    const second = await start('next start B');
    await warm(second, `warm B ${runId}`);
    return [first, second] as const;
  });

  const followed = await step('a reply begun on A is followed from B, from its start', async () => {
    const message = `follow me ${runId} [words=60] [delay=40]`;
    let following: Promise<ChatTurn> | undefined;
    let begunAt = 0;
    const own = await postChatTurn(a.base, { message }, AbortSignal.timeout(60_000), (event, turn) => {
      // Attach once some words are out (the run's row is written beside the first ones), so B
      // replays what it missed, then follows live.
      if (event.type === 'text-delta' && turn.deltas === 15) {
        begunAt = performance.now();
        following = followWhenKnown(b, turn.start!.assistantMessageId);
      }
    });
    const ownEnd = performance.now();
    if (!following) throw new StepFailure('the reply on A never got 15 words out', `${turnProblems(own, replyTextFor(message, 60)).join('\n')}\n${logs(a)}`);
    const other = await following;
    const lagMs = performance.now() - ownEnd;
    const problems = [...turnProblems(own, replyTextFor(message, 60)).map((p) => `A: ${p}`), ...turnProblems(other, replyTextFor(message, 60)).map((p) => `B: ${p}`)];
    if (other.start?.assistantMessageId !== own.start?.assistantMessageId) problems.push('B followed another reply');
    if (problems.length > 0) throw new StepFailure('following from the other instance failed', `${problems.join('\n')}\n${logs(a, b)}`);
    const words = other.text.split(' ').length;
    console.log(`  B replayed and followed all ${words} words (attached ${(begunAt - ownEnd + own.totalMs).toFixed(0)} ms into the reply; its stream ended ${lagMs.toFixed(0)} ms after A's)`);
    return { words, lagMs };
  });

  const stopped = await step('a reply begun on A is stopped from B: A’s stream ends as aborted within a second', async () => {
    const message = `stop me ${runId} [words=400] [delay=50]`;
    let stopAt = 0;
    let stopAnswer: Promise<Response> | undefined;
    const own = await postChatTurn(a.base, { message }, AbortSignal.timeout(60_000), (event, turn) => {
      if (event.type === 'text-delta' && turn.deltas === 10) {
        stopAt = performance.now();
        stopAnswer = fetch(`${b.base}/api/chat/replies/${turn.start!.assistantMessageId}/stop`, json({}));
      }
    });
    const endedAt = performance.now();
    if (!stopAnswer) throw new StepFailure('the reply on A never got 10 words out', logs(a));
    const answer = await stopAnswer;
    const body = stopResponseSchema.safeParse(await answer.json().catch(() => null));
    const problems: string[] = [];
    if (answer.status !== 202 || !body.success || body.data.state !== 'stopping') problems.push(`stop from B answered ${answer.status} ${JSON.stringify(body.data ?? null)}, not 202 stopping`);
    if (own.error?.code !== 'aborted') problems.push(`A's stream ended with ${own.error ? `error ${own.error.code}` : own.finish ? 'finish' : 'nothing'}, not error aborted`);
    if (!own.usage) problems.push('A’s stream had no usage event');
    const honouredMs = endedAt - stopAt;
    if (honouredMs > STOP_WITHIN_MS) problems.push(`A's stream ended ${honouredMs.toFixed(0)} ms after the stop, not within ${STOP_WITHIN_MS} ms`);
    if (own.deltas >= 400) problems.push('the whole reply arrived: the stop did nothing');
    const saved = await detailOf(b, own.start!.conversationId);
    const reply = saved.messages.find((m) => m.id === own.start!.assistantMessageId);
    if (reply?.status !== 'partial' || reply.content !== own.text) problems.push(`the saved reply is ${reply ? `${reply.status} with ${reply.content.length} chars` : 'missing'}, not partial with the ${own.text.length} chars streamed`);
    if (problems.length > 0) throw new StepFailure('stopping from the other instance failed', `${problems.join('\n')}\n${logs(a, b)}`);
    console.log(`  stopped after ${own.deltas} of 400 words; A's stream ended ${honouredMs.toFixed(0)} ms after B was asked`);
    return { honouredMs, words: own.deltas };
  });

  const interrupted = await step('A is killed (SIGKILL) mid-reply: B marks the reply interrupted, partial text kept, usage settled once', async () => {
    const message = `kill me ${runId} [words=400] [delay=50]`;
    let begun: ChatTurn | undefined;
    const client = new AbortController();
    const own = postChatTurn(a.base, { message }, client.signal, (event, turn) => {
      // Past a checkpoint (every second): the words so far are in the database.
      if (event.type === 'text-delta' && turn.deltas === 40) begun = turn;
    }).catch(() => undefined);
    const until = Date.now() + 30_000;
    while (!begun && Date.now() < until) await sleep(50);
    if (!begun) throw new StepFailure('the reply on A never got 40 words out', logs(a));
    const runId_ = begun.start!.assistantMessageId;
    const conversationId = begun.start!.conversationId;
    await sleep(1_200);
    await a.process.kill();
    const killedAt = performance.now();
    client.abort();
    await own;
    const other = await followReply(b.base, runId_, AbortSignal.timeout(INTERRUPTED_WITHIN_MS + 10_000));
    const afterKillMs = performance.now() - killedAt;
    const problems: string[] = [];
    if (other.status !== 200) problems.push(`following from B answered ${other.status}: ${other.refusal ?? ''}`);
    if ((other.error?.code as string | undefined) !== 'interrupted') problems.push(`B's stream ended with ${other.error ? `error ${other.error.code}` : other.finish ? 'finish' : 'nothing'}, not error interrupted`);
    if (afterKillMs > INTERRUPTED_WITHIN_MS) problems.push(`interrupted ${afterKillMs.toFixed(0)} ms after the kill, not within ${INTERRUPTED_WITHIN_MS} ms`);
    const full = replyTextFor(message, 400);
    const saved = await detailOf(b, conversationId);
    const reply = saved.messages.find((m) => m.id === runId_);
    const code = (reply?.metadata as { error?: { code?: string } } | undefined)?.error?.code;
    if (!reply || reply.status !== 'partial' || code !== 'interrupted') problems.push(`the saved reply is ${reply ? `${reply.status} (${code ?? 'no error'})` : 'missing'}, not partial and interrupted`);
    else if (reply.content.length === 0 || !full.startsWith(reply.content)) problems.push(`the saved partial text is not the reply's start: ${JSON.stringify(reply.content.slice(0, 80))}`);
    const usage = await query<{ status: string; completion_tokens: number; prompt_tokens: number }>(
      url,
      'select status, completion_tokens, prompt_tokens from public.ai_chat_usage where conversation_id = $1',
      [conversationId],
    );
    if (usage.length !== 1 || usage[0]!.status !== 'settled' || usage[0]!.completion_tokens <= 0) problems.push(`usage rows ${JSON.stringify(usage)}, not one settled row with the streamed tokens`);
    if (problems.length > 0) throw new StepFailure('the killed instance’s reply was not marked interrupted', `${problems.join('\n')}\n${logs(b)}`);
    const words = reply!.content.split(' ').length;
    console.log(`  B ended the reply as interrupted ${(afterKillMs / 1000).toFixed(1)} s after the kill, keeping ${words} words; usage settled once (${usage[0]!.completion_tokens} output tokens)`);
    return { afterKillMs, words, completionTokens: usage[0]!.completion_tokens };
  });

  const limit = await step(`a tokens-per-day limit holds across both servers under ${LIMIT_CHATS} concurrent chats`, async () => {
    await b.process.stop(10_000);
    const before = await usedToday(url);
    // Room for about LIMIT_ALLOWED_TURNS replies of LIMIT_REPLY_WORDS words (maxTokens caps each hold).
    const perTurn = FAKE_PROMPT_TOKENS + LIMIT_REPLY_WORDS;
    const limitTokens = before + LIMIT_ALLOWED_TURNS * perTurn;
    const env = { AI_CHAT_MAX_TOKENS_PER_DAY: String(limitTokens) };
    [a, b] = await Promise.all([start('next start A (limited)', env), start('next start B (limited)', env)]);
    const messages = Array.from({ length: LIMIT_CHATS }, (_, i) => `limited ${i} ${runId} [words=${LIMIT_REPLY_WORDS}] [delay=2]`);
    const turns = await Promise.all(
      messages.map((message, i) => postChatTurn((i % 2 ? b : a).base, { message, maxTokens: LIMIT_REPLY_WORDS }, AbortSignal.timeout(60_000))),
    );
    const problems: string[] = [];
    let allowed = 0;
    let refused = 0;
    turns.forEach((turn, i) => {
      if (turn.status === 429 && /usage_limit/.test(turn.refusal ?? '')) refused += 1;
      else if (turn.status === 200 && turn.error?.code === 'usage_limit') refused += 1;
      else {
        allowed += 1;
        for (const problem of limitedTurnProblems(turn, replyTextFor(messages[i]!, LIMIT_REPLY_WORDS))) problems.push(`chat ${i} on ${i % 2 ? 'B' : 'A'}: ${problem}`);
      }
    });
    await sleep(1_000);
    const billed = (await usedToday(url)) - before;
    const bound = limitTokens - before + perTurn;
    if (billed > bound) problems.push(`billed ${billed} tokens across both servers, more than the limit's ${limitTokens - before} plus one reply (${perTurn})`);
    if (refused === 0) problems.push('no chat was refused: the limit never bound');
    if (allowed === 0) problems.push('every chat was refused');
    if (problems.length > 0) throw new StepFailure('the limit did not hold across the two servers', `${problems.slice(0, 15).join('\n')}\n${logs(a, b)}`);
    console.log(`  ${allowed} chats answered, ${refused} refused; billed ${billed} tokens for a room of ${limitTokens - before} (bound: + one reply = ${bound})`);
    return { limit: limitTokens - before, allowed, refused, billed, bound };
  });
  await step('stop both servers', async () => {
    await Promise.all([a.process.stop(10_000), b.process.stop(10_000)]);
  });
  return { followed, stop: stopped, interrupted, limit };
}

/** Follows a reply from `server`, asking again while it answers 404 (its row may not be written yet), for up to 3 s. */
async function followWhenKnown(server: NextServer, replyId: string): Promise<ChatTurn> {
  const until = Date.now() + 3_000;
  for (;;) {
    const turn = await followReply(server.base, replyId, AbortSignal.timeout(60_000));
    if (turn.status !== 404 || Date.now() > until) return turn;
    await sleep(250);
  }
}

async function warm(server: NextServer, message: string): Promise<void> {
  const turn = await postChatTurn(server.base, { message }, AbortSignal.timeout(60_000));
  if (turn.status !== 200 || !turn.finish) throw new StepFailure(`the warm-up chat on ${server.process.name} failed`, `${turn.status} ${turn.refusal ?? ''}\n${tail(server.process.output())}`);
}

async function detailOf(server: NextServer, conversationId: string) {
  const response = await fetch(`${server.base}/api/chat/conversations/${conversationId}`, { signal: AbortSignal.timeout(30_000) });
  if (!response.ok) throw new StepFailure(`GET conversation ${conversationId} on ${server.process.name}: HTTP ${response.status}`, await response.text());
  return conversationDetailSchema.parse(await response.json());
}

/** Tokens the local user has today, reservations at their hold, as the limit counts them. */
async function usedToday(url: string): Promise<number> {
  const rows = await query<{ tokens: string }>(url, `select coalesce(sum(total_tokens), 0)::text as tokens from public.ai_chat_usage where created_at >= date_trunc('day', now(), 'UTC')`);
  return Number(rows[0]!.tokens);
}

async function query<Row>(url: string, sql: string, params: unknown[] = []): Promise<Row[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as Row[];
  } finally {
    await client.end();
  }
}

/**
 * A turn under the limit: whole, or cut where its hold ran out. The fake ignores `max_tokens` (and
 * its tagged words are several tokens each), so the ledger stops a call whose streamed output
 * passes its hold (issue 19, finding 8): such a reply ends `length`, a start of what was sent.
 */
function limitedTurnProblems(turn: ChatTurn, expected: string): string[] {
  if (turn.finish?.finishReason !== 'length') return turnProblems(turn, expected);
  const problems = turnProblems({ ...turn, finish: { ...turn.finish, finishReason: 'stop' } }, turn.text);
  if (turn.text.length === 0 || !expected.startsWith(turn.text)) problems.push(`a reply cut at its hold is not the start of what the provider sent: ${JSON.stringify(turn.text.slice(0, 60))}`);
  return problems;
}
