import OpenAI from 'openai';
import { createChatHandler } from '../features/ai-chat/server/http/chat-handler';
import { createOpenAIProvider } from '../features/ai-chat/providers/openai/chat-completions-provider';
import { createEmbeddedChatStore } from '../features/ai-chat/store/embedded/embedded-chat-store';
import type { FakeReply } from '../tests/support/fake-providers';
import { attachDbActivityCounter, type DbActivityCounter } from './support/db-activity';
import { startFakeOpenAIThread } from './support/fake-openai-thread';
import { SUPABASE_DIR } from './support/paths';
import { summarize, type Summary } from './support/stats';

/**
 * Benchmark 1: what the handler adds on top of the provider SDK. A loopback fake OpenAI (on its own
 * thread) streams 1,000 text chunks without delay; each iteration times the same reply (a) read
 * with the openai SDK directly and (b) through `handler.chat` on the embedded store, read as SSE.
 */

const CHUNKS = 1_000;
const API_KEY = 'sk-bench-0123456789';
const MODEL = 'gpt-4o';
const PROMPT = 'Write a thousand tokens about the sea.';
/** Turns already in the conversation a follow-up replies to. */
const FOLLOW_UP_HISTORY_TURNS = 4;

const reply = (chunks: number): FakeReply => ({
  text: 'tok '.repeat(chunks),
  chunks,
  usage: { promptTokens: 20, completionTokens: chunks },
});

export interface StreamTimings {
  /** Request start to the first text delta. */
  ttft: Summary;
  /** Request start to the last text delta. */
  lastDelta: Summary;
  /** Request start to the end of the body (for the handler: reply saved and usage settled). */
  total: Summary;
}

export interface HandlerVariantResult extends StreamTimings {
  name: string;
  /** median(ttft) − SDK median(ttft), ms. */
  addedTtft: number;
  /** (median(total − ttft) − SDK median(total − ttft)) / chunks, ms: the formula. */
  perChunk: number;
  /** The same over first→last delta only, i.e. without the end-of-turn writes, ms per chunk. */
  perChunkStreaming: number;
  /** median(total − lastDelta): saving the reply and settling usage after the last token, ms. */
  tail: Summary;
  /** Request to the Response being returned: the turn planned (body, history, limit check, new conversation), ms. */
  planned: Summary;
  /** How many store calls started before the first delta (median). */
  storeCallsBeforeFirstToken: number;
}

export interface TurnWrites {
  name: string;
  chunks: number;
  /** Store calls (one transaction each) and what each did. */
  transactions: number;
  statements: number;
  labels: string[];
  rows: { conversations: number; messages: number; usage: number };
  tuples: { inserted: number; updated: number; deleted: number };
}

export interface HandlerOverheadResult {
  chunks: number;
  runs: number;
  warmup: number;
  followUpHistoryMessages: number;
  sdk: StreamTimings;
  /** The same reply through the provider adapter alone (no handler, no store): where the layers' cost goes. */
  adapter: StreamTimings;
  variants: HandlerVariantResult[];
  writes: TurnWrites[];
}

interface Timing {
  ttft: number;
  lastDelta: number;
  total: number;
}

interface HandlerTiming extends Timing {
  planned: number;
  storeCallsBeforeFirstToken: number;
}

interface HandlerTurn extends HandlerTiming {
  conversationId: string;
  assistantMessageId: string;
}

type ChatBody = { message: string; conversationId?: string; parentMessageId?: string };

export async function benchHandlerOverhead({ runs, warmup }: { runs: number; warmup: number }): Promise<HandlerOverheadResult> {
  const fake = await startFakeOpenAIThread(reply(CHUNKS));
  const store = createEmbeddedChatStore({ dataDir: 'memory://', supabaseDir: SUPABASE_DIR });
  try {
    const counter = attachDbActivityCounter(await store.database());
    const handler = createChatHandler({
      store,
      providers: { openai: createOpenAIProvider({ apiKeys: [API_KEY], baseURL: fake.url, maxRetries: 0 }) },
      models: { openai: { defaultModel: MODEL } },
      // Limits set, so every turn runs the full check; high enough never to refuse.
      limits: { maxTokensPerDay: 1_000_000_000, maxCostPerMonth: 1_000_000, maxRequestsPerMinute: 1_000_000 },
    });
    const client = new OpenAI({ apiKey: API_KEY, baseURL: fake.url, maxRetries: 0 });
    const adapter = createOpenAIProvider({ apiKeys: [API_KEY], baseURL: fake.url, maxRetries: 0 });

    const adapterTurn = async (): Promise<Timing> => {
      const start = performance.now();
      let first = NaN;
      let last = NaN;
      let deltas = 0;
      for await (const event of adapter.stream({ model: MODEL, messages: [{ role: 'user', content: PROMPT }], maxTokens: 4096 })) {
        if (event.type !== 'text-delta') continue;
        last = performance.now();
        if (deltas++ === 0) first = last;
      }
      const end = performance.now();
      if (deltas !== CHUNKS) throw new Error(`adapter read ${deltas} deltas, expected ${CHUNKS}`);
      return { ttft: first - start, lastDelta: last - start, total: end - start };
    };

    const sdkTurn = async (chunks = CHUNKS): Promise<Timing> => {
      const start = performance.now();
      const stream = await client.chat.completions.create({
        model: MODEL,
        messages: [{ role: 'user', content: PROMPT }],
        stream: true,
        stream_options: { include_usage: true },
      });
      let first = NaN;
      let last = NaN;
      let deltas = 0;
      for await (const chunk of stream) {
        if (!chunk.choices[0]?.delta?.content) continue;
        last = performance.now();
        if (deltas++ === 0) first = last;
      }
      const end = performance.now();
      if (deltas !== chunks) throw new Error(`SDK read ${deltas} deltas, expected ${chunks}`);
      return { ttft: first - start, lastDelta: last - start, total: end - start };
    };

    const handlerTurn = async (body: ChatBody, chunks = CHUNKS): Promise<HandlerTurn> => {
      const request = new Request('http://localhost/api/chat', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      const callsBefore = counter.snapshot().calls.length;
      const start = performance.now();
      const response = await handler.chat(request);
      const planned = performance.now();
      if (!response.ok || !response.body) throw new Error(`handler answered ${response.status}: ${await response.text()}`);
      // The reader does as little as a client must to see a delta arrive; parsing waits until the end.
      const reader = response.body.getReader();
      const decoder = new TextDecoder();
      let sse = '';
      let first = NaN;
      let last = NaN;
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        const piece = decoder.decode(value, { stream: true });
        sse += piece;
        if (piece.includes('"type":"text-delta"')) {
          last = performance.now();
          if (Number.isNaN(first)) first = last;
        }
      }
      const end = performance.now();
      const early = counter.snapshot().calls.slice(callsBefore).filter((call) => call.start < first);
      return {
        ttft: first - start,
        lastDelta: last - start,
        total: end - start,
        planned: planned - start,
        storeCallsBeforeFirstToken: early.length,
        ...checkEvents(sse, chunks),
      };
    };

    // A conversation with history, and a fixed parent, so every follow-up sees the same history.
    let followUp: ChatBody | undefined;
    for (let turn = 0; turn < FOLLOW_UP_HISTORY_TURNS; turn++) {
      const done = await handlerTurn({ message: `${PROMPT} (${turn})`, ...(followUp ?? {}) });
      followUp = { message: PROMPT, conversationId: done.conversationId, parentMessageId: done.assistantMessageId };
    }
    const variants: Array<{ name: string; body: ChatBody }> = [
      { name: 'handler, new conversation', body: { message: PROMPT } },
      { name: `handler, follow-up (${FOLLOW_UP_HISTORY_TURNS * 2}-message history)`, body: followUp! },
    ];

    const sdkTimes: Timing[] = [];
    const adapterTimes: Timing[] = [];
    const variantTimes: HandlerTiming[][] = variants.map(() => []);
    // No forced GC between turns: a collection forced just before a timed turn leaves V8 and
    // PGlite's WASM heap cold and bills that to the turn (it tripled the handler's planning time).
    // A server never collects before each request; the median over many turns absorbs natural GCs.
    for (let i = 0; i < warmup + runs; i++) {
      const measured = i >= warmup;
      const sdk = await sdkTurn();
      if (measured) sdkTimes.push(sdk);
      const viaAdapter = await adapterTurn();
      if (measured) adapterTimes.push(viaAdapter);
      for (const [index, variant] of variants.entries()) {
          const turn = await handlerTurn(variant.body);
        if (measured) variantTimes[index]!.push(turn);
      }
    }

    const sdk = timingsOf(sdkTimes);
    const sdkStreaming = summarize(sdkTimes.map((t) => t.total - t.ttft)).median;
    const sdkDeltas = summarize(sdkTimes.map((t) => t.lastDelta - t.ttft)).median;
    const results = variants.map(({ name }, index): HandlerVariantResult => {
      const times = variantTimes[index]!;
      const timings = timingsOf(times);
      return {
        name,
        ...timings,
        addedTtft: timings.ttft.median - sdk.ttft.median,
        perChunk: (summarize(times.map((t) => t.total - t.ttft)).median - sdkStreaming) / CHUNKS,
        perChunkStreaming: (summarize(times.map((t) => t.lastDelta - t.ttft)).median - sdkDeltas) / (CHUNKS - 1),
        tail: summarize(times.map((t) => t.total - t.lastDelta)),
        planned: summarize(times.map((t) => t.planned)),
        storeCallsBeforeFirstToken: summarize(times.map((t) => t.storeCallsBeforeFirstToken)).median,
      };
    });

    // Writes per turn, for a short and a long reply: equal counts mean nothing is written per chunk.
    const writes: TurnWrites[] = [];
    for (const chunks of [10, CHUNKS]) {
      for (const variant of variants) {
        await fake.script(reply(chunks));
        writes.push(await measureWrites(counter, `${variant.name}, ${chunks}-chunk reply`, chunks, () => handlerTurn(variant.body, chunks)));
      }
    }

    return {
      chunks: CHUNKS,
      runs,
      warmup,
      followUpHistoryMessages: FOLLOW_UP_HISTORY_TURNS * 2,
      sdk,
      adapter: timingsOf(adapterTimes),
      variants: results,
      writes,
    };
  } finally {
    await Promise.all([store.close(), fake.close()]);
  }
}

function timingsOf(times: readonly Timing[]): StreamTimings {
  return {
    ttft: summarize(times.map((t) => t.ttft)),
    lastDelta: summarize(times.map((t) => t.lastDelta)),
    total: summarize(times.map((t) => t.total)),
  };
}

/** Checks a turn's SSE body: start, exactly `chunks` deltas, usage, finish. Returns the ids it announced. */
function checkEvents(sse: string, chunks: number): { conversationId: string; assistantMessageId: string } {
  const events = sse
    .split('\n\n')
    .filter((frame) => frame.startsWith('data: '))
    .map((frame) => JSON.parse(frame.slice('data: '.length)) as { type: string; conversationId?: string; assistantMessageId?: string });
  const deltas = events.filter((event) => event.type === 'text-delta').length;
  const [start] = events;
  if (start?.type !== 'start' || events.at(-1)?.type !== 'finish' || deltas !== chunks) {
    throw new Error(`unexpected turn: ${deltas} deltas, events ${events.map((e) => e.type).filter((t) => t !== 'text-delta').join(', ')}`);
  }
  return { conversationId: start.conversationId!, assistantMessageId: start.assistantMessageId! };
}

async function measureWrites(counter: DbActivityCounter, name: string, chunks: number, turn: () => Promise<unknown>): Promise<TurnWrites> {
  const [rowsBefore, tuplesBefore] = [await counter.rowCounts(), await counter.rowWrites()];
  const before = counter.snapshot();
  await turn();
  const after = counter.snapshot();
  const [rowsAfter, tuplesAfter] = [await counter.rowCounts(), await counter.rowWrites()];
  return {
    name,
    chunks,
    transactions: after.transactions - before.transactions,
    statements: after.statements - before.statements,
    labels: after.labels.slice(before.labels.length),
    rows: {
      conversations: rowsAfter.conversations - rowsBefore.conversations,
      messages: rowsAfter.messages - rowsBefore.messages,
      usage: rowsAfter.usage - rowsBefore.usage,
    },
    tuples: {
      inserted: tuplesAfter.inserted - tuplesBefore.inserted,
      updated: tuplesAfter.updated - tuplesBefore.updated,
      deleted: tuplesAfter.deleted - tuplesBefore.deleted,
    },
  };
}
