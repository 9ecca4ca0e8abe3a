import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOpenAIModeration } from '@/features/ai-chat/server/turn/moderation';
import type { ChatEvent } from '@/features/ai-chat/protocol/chat-events';
import { summarizeConversation } from '@/features/ai-chat/server/turn/summarize';
import { createOpenAIProvider } from '@/features/ai-chat/providers/openai/chat-completions-provider';
import { eventually, OPENAI_TEST_KEY, startChatHarness, type ChatHarness } from '../support/chat-harness';
import { FLAGGED_MARKER } from '../support/fake-providers';
import { readChatEvents, textOf } from '../support/sse';

const SUMMARY = 'The user wrote long notes about lorem ipsum.';
const completions = (h: ChatHarness) => h.openai.requests.filter((request) => request.path.endsWith('/chat/completions'));

describe('moderation', () => {
  let h: ChatHarness;
  beforeAll(async () => {
    h = await startChatHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('refuses a flagged message with a clear error, writes nothing and calls no chat model', async () => {
    const { createChatHandler } = await import('@/features/ai-chat/server/http/chat-handler');
    const handler = createChatHandler({
      ...h.handler.options,
      moderation: createOpenAIModeration({ apiKey: OPENAI_TEST_KEY, baseURL: h.openai.url }),
    });
    const before = await h.counts();
    const response = await handler.chat(
      new Request('http://localhost/api/chat', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ message: `something ${FLAGGED_MARKER}` }) }),
    );
    expect(response.status).toBe(400);
    const body = await response.json();
    expect(body.error).toMatchObject({ code: 'content_flagged', field: 'message' });
    expect(body.error.message).toContain('violence');
    expect(await h.counts()).toEqual(before);
    expect(completions(h)).toHaveLength(0);
    expect(h.openai.requests.map((request) => request.path)).toEqual(['/v1/moderations']);

    h.openai.reset();
    const clean = await handler.chat(new Request('http://localhost/api/chat', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ message: 'a kind word' }) }));
    expect(clean.status).toBe(200);
    await readChatEvents(clean);
    expect(completions(h)).toHaveLength(1);
  });
});

describe('the response cache', () => {
  let h: ChatHarness;
  beforeAll(async () => {
    h = await startChatHarness({ responseCache: { ttlSeconds: 60 } });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('answers a repeated deterministic request from the cache, bills nothing, and marks it', async () => {
    h.openai.script({ text: 'Forty-two.', usage: { promptTokens: 9, completionTokens: 3 } });
    const first = await readChatEvents(await h.post({ message: 'The answer?', temperature: 0 }));
    const second = await readChatEvents(await h.post({ message: 'The answer?', temperature: 0 }));
    expect(textOf(second)).toBe('Forty-two.');
    expect(completions(h)).toHaveLength(1);
    expect(second.find((event) => event.type === 'usage')).toMatchObject({ totalTokens: 0, cost: '0' });
    const start = second[0] as Extract<ChatEvent, { type: 'start' }>;
    const [saved] = await h.sql<{ metadata: { cached?: boolean } }>('select metadata from public.ai_chat_messages where id = $1', [start.assistantMessageId]);
    expect(saved!.metadata.cached).toBe(true);
    expect(first.at(-1)).toMatchObject({ type: 'finish' });
  });

  it('never caches a request that did not ask for temperature 0', async () => {
    h.openai.reset();
    h.openai.script({ text: 'One.' }, { text: 'Two.' });
    await readChatEvents(await h.post({ message: 'Surprise me' }));
    const again = await readChatEvents(await h.post({ message: 'Surprise me' }));
    expect(textOf(again)).toBe('Two.');
    expect(completions(h)).toHaveLength(2);
  });

  it('never answers a request at another reasoning effort from the cache', async () => {
    h.openai.reset();
    h.openai.script({ text: 'Quick.' }, { text: 'Considered.' });
    await readChatEvents(await h.post({ message: 'Think about it', temperature: 0, reasoningEffort: 'low' }));
    const deeper = await readChatEvents(await h.post({ message: 'Think about it', temperature: 0, reasoningEffort: 'high' }));
    expect(textOf(deeper)).toBe('Considered.');
    expect(completions(h)).toHaveLength(2);
  });

  it('is off unless the app turns it on', async () => {
    const plain = await startChatHarness();
    try {
      plain.openai.script({ text: 'A.' }, { text: 'B.' });
      await readChatEvents(await plain.post({ message: 'Same', temperature: 0 }));
      expect(textOf(await readChatEvents(await plain.post({ message: 'Same', temperature: 0 })))).toBe('B.');
    } finally {
      await plain.close();
    }
  });
});

describe('the rolling summary', () => {
  let h: ChatHarness;
  // The after-turn work (the summary), as a host's `after` would receive it: awaited, not slept on.
  const afterTurn: Promise<unknown>[] = [];
  beforeAll(async () => {
    // gpt-4's 8,192-token window fills fast; the summary uses gpt-4o-mini on the same fake.
    h = await startChatHarness(
      {
        models: { openai: { defaultModel: 'gpt-4' } },
        summary: { model: 'gpt-4o-mini' },
        defaultMaxTokens: 1_000,
        waitUntil: (work) => afterTurn.push(work),
      },
      { openai: { defaultReply: (body) => ({ text: body.model === 'gpt-4o-mini' ? SUMMARY : 'ok' }) } },
    );
  });
  afterAll(async () => {
    await h?.close();
  });

  it('summarises what falls out of the window once, stores it, and reuses it on later turns', async () => {
    const longText = (n: number) => `Note ${n}: ${'lorem ipsum dolor sit amet '.repeat(400)}`;
    const start = (await readChatEvents(await h.post({ message: longText(1) })))[0] as Extract<ChatEvent, { type: 'start' }>;
    // Four notes of ~2,400 tokens overflow gpt-4's window less the reply: the oldest fall out.
    for (let n = 2; n <= 4; n += 1) {
      await readChatEvents(await h.post({ message: longText(n), conversationId: start.conversationId }));
    }

    const stored = await eventually(async () => {
      // Kept per branch point (the message it runs through), readable by the conversation's owner.
      const [row] = await h.sql<{ summary: string | null; through_message_id: string | null }>(
        'select summary, through_message_id from public.ai_chat_summaries where conversation_id = $1',
        [start.conversationId],
      );
      expect(row!.summary).toBeTruthy();
      return row!;
    });
    const summaryCalls = () => completions(h).filter((request) => request.body.model === 'gpt-4o-mini');
    expect(summaryCalls().length).toBeGreaterThanOrEqual(1);
    const callsSoFar = summaryCalls().length;

    await readChatEvents(await h.post({ message: 'a short question', conversationId: start.conversationId }));
    const lastTurn = completions(h).filter((request) => request.body.model === 'gpt-4').at(-1)!;
    const system = JSON.stringify(lastTurn.body.messages);
    expect(system).toContain('Summary of the earlier conversation');
    expect(system).toContain(SUMMARY);
    expect(stored.summary).toBe(SUMMARY);
    // Nothing new fell out of the window on a short turn: no new summary call.
    await Promise.all(afterTurn);
    expect(summaryCalls().length).toBe(callsSoFar);
    // The summary call was billed like any other.
    expect(await h.sql(`select count(*)::int as n from public.ai_chat_usage where model = 'gpt-4o-mini'`)).toEqual([{ n: callsSoFar }]);
  });

  it('switching back to a branch reuses that branch\'s summary instead of making it again', async () => {
    const longText = (n: number) => `Branch note ${n}: ${'consectetur adipiscing elit sed do '.repeat(400)}`;
    const first = (await readChatEvents(await h.post({ message: longText(1) })))[0] as Extract<ChatEvent, { type: 'start' }>;
    const conversationId = first.conversationId;
    let lastOnA = first.assistantMessageId;
    for (let n = 2; n <= 4; n += 1) {
      const events = await readChatEvents(await h.post({ message: longText(n), conversationId }));
      lastOnA = (events[0] as Extract<ChatEvent, { type: 'start' }>).assistantMessageId;
    }
    // Branch B: the first message edited (a new root), then long enough to need its own summary.
    await readChatEvents(await h.post({ message: longText(11), conversationId, parentMessageId: null }));
    for (let n = 12; n <= 14; n += 1) await readChatEvents(await h.post({ message: longText(n), conversationId }));
    const summaryCalls = () => completions(h).filter((request) => request.body.model === 'gpt-4o-mini').length;
    await eventually(async () => {
      const rows = await h.sql('select 1 from public.ai_chat_summaries where conversation_id = $1', [conversationId]);
      expect(rows.length).toBeGreaterThanOrEqual(2);
    });
    const before = summaryCalls();

    // Back on branch A with a short question: A's summary still speaks for it.
    await readChatEvents(await h.post({ message: 'and on this branch?', conversationId, parentMessageId: lastOnA }));
    await Promise.all(afterTurn);
    expect(summaryCalls()).toBe(before);
    const lastTurn = completions(h).filter((request) => request.body.model === 'gpt-4').at(-1)!;
    expect(JSON.stringify(lastTurn.body.messages)).toContain(SUMMARY);
  });

  it('summarizeConversation(messages) works as in the original API', async () => {
    const provider = createOpenAIProvider({ apiKeys: [OPENAI_TEST_KEY], baseURL: h.openai.url });
    const summary = await summarizeConversation(
      [
        { role: 'user', content: 'Is it raining?' },
        { role: 'assistant', content: 'Yes, in Oslo.' },
      ],
      { provider },
    );
    const request = h.openai.requests.at(-1)!;
    expect(request.body.model).toBe('gpt-5-nano');
    expect(summary).toBe('ok');
    expect(JSON.stringify(request.body.messages)).toContain('Yes, in Oslo.');
  });
});
