import { createParser } from 'eventsource-parser';
import { countTokens } from 'gpt-tokenizer/encoding/o200k_base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineTool } from '@/features/ai-chat/server/http/chat-handler';
import { chatEventSchema, type ChatEvent } from '@/features/ai-chat/protocol/chat-events';
import { eventually } from '../support/chat-harness';
import type { FakeReply } from '../support/fake-providers';
import { databaseKinds } from '../support/test-databases';
import { openLedgerRig, totals, userRig, type LedgerRig } from './ledger-harness';

const LIMIT = 6_000;
const MAX_REPLY = 400;

/** What OpenAI would report for this prompt: its text's tokens plus the chat format's overhead. */
function promptTokensOf(messages: readonly { content?: unknown }[]): number {
  return messages.reduce((sum, message) => sum + 3 + (typeof message.content === 'string' ? countTokens(message.content) : 0), 3);
}

/** The fake's answer, by the marker in the last user message: tool loops, slow replies, plain ones. */
function replyFor(body: Record<string, unknown>): FakeReply {
  const messages = (body.messages ?? []) as { role: string; content?: unknown }[];
  const last = [...messages].reverse().find((message) => message.role === 'user');
  const text = typeof last?.content === 'string' ? last.content : '';
  const toolSteps = messages.filter((message) => message.role === 'tool').length;
  // Every call really uses its whole reply budget: the worst case for a limit.
  const usage = { promptTokens: promptTokensOf(messages), completionTokens: MAX_REPLY };
  if (text.includes('[tool]') && toolSteps < 3) return { toolCalls: [{ name: 'lookup', args: { q: `step ${toolSteps}` } }], usage };
  if (text.includes('[slow]')) return { text: 'slow '.repeat(80), delayMs: 15, usage };
  return { text: 'word '.repeat(60), usage };
}

/** Reads an SSE response, calling `onEvent` as each event arrives; a reset connection ends it. */
async function follow(response: Response, onEvent: (event: ChatEvent) => void): Promise<ChatEvent[]> {
  const events: ChatEvent[] = [];
  const parser = createParser({
    onEvent: (message) => {
      const event = chatEventSchema.parse(JSON.parse(message.data));
      events.push(event);
      onEvent(event);
    },
  });
  try {
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      parser.feed(value);
    }
  } catch {
    // The client aborted: what arrived is what it saw.
  }
  return events;
}

/**
 * Issue 10, "done when": the limit holds to within one reply under 20 concurrent requests with
 * tool loops, aborts and conversation deletions mixed in.
 */
describe.each(databaseKinds())('limits under a mixed concurrent load, on %s', (kind) => {
  let rig: LedgerRig;
  beforeAll(async () => {
    rig = await openLedgerRig(kind, { openai: { defaultReply: replyFor } });
  });
  afterAll(async () => {
    await rig?.close();
  });

  it('20 concurrent turns (tool loops, aborts, deletions) settle within one reply of the daily limit', async () => {
    const lookup = defineTool({ name: 'lookup', description: 'Looks up.', parameters: z.object({ q: z.string() }), execute: ({ q }) => ({ q, hits: 3 }) });
    const user = await userRig(rig, { tools: [lookup], maxToolSteps: 5, limits: { maxTokensPerDay: LIMIT } });
    const kinds = ['tool', 'abort', 'delete', 'plain'] as const;
    const outcomes = await Promise.all(
      Array.from({ length: 20 }, async (_, index) => {
        const kind = kinds[index % kinds.length]!;
        const abort = new AbortController();
        const message = kind === 'tool' ? `[tool] look ${index}` : kind === 'plain' ? `hello ${index}` : `[slow] talk ${index}`;
        const response = await user.post({ message, maxTokens: MAX_REPLY }, { signal: abort.signal });
        if (response.status !== 200) return { kind, status: response.status, events: [] as ChatEvent[] };
        const events = await follow(response, (event) => {
          if (event.type !== 'start') return;
          if (kind === 'abort') setTimeout(() => abort.abort(), 120);
          if (kind === 'delete') setTimeout(() => void user.call('DELETE', `/conversations/${event.conversationId}`), 120);
        });
        return { kind, status: 200, events };
      }),
    );

    const allowed = outcomes.filter((outcome) => outcome.status === 200);
    expect(outcomes.every((outcome) => outcome.status === 200 || outcome.status === 429)).toBe(true);
    expect(allowed.length).toBeGreaterThan(0);
    // Every turn a client saw to its end ended with finish or error.
    for (const outcome of allowed.filter((o) => o.kind !== 'abort')) expect(['finish', 'error']).toContain(outcome.events.at(-1)?.type);

    const rows = await eventually(async () => {
      const found = await user.usage();
      expect(totals(found).reserved).toBe(0);
      return found;
    }, 15_000);
    const settled = totals(rows).tokens;
    // One reply: its prompt (a few dozen tokens here) and its budget.
    const oneReply = 100 + MAX_REPLY;
    console.info(
      `[ledger] ${kind}: limit ${LIMIT}, settled ${settled}, overshoot ${Math.max(0, settled - LIMIT)} ` +
        `(allowed ${allowed.length}/20, provider calls ${rig.openai.requests.length})`,
    );
    expect(settled).toBeLessThanOrEqual(LIMIT + oneReply);
  });
});
