import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Chat } from '@ai-sdk/react';
import type { UIMessage } from 'ai';
import { eventually } from '../support/chat-harness';
import { startFakeAnthropic, startFakeOpenAI, type FakeProviderServer } from '../support/fake-providers';
import { databaseKinds, openTestDatabase, type TestDatabase } from '../support/test-databases';
import { API, openAiSdkInstance, readReply, readUntil, textOfMessage, userMessage, type AiSdkInstance } from './support/ai-sdk-client';

/**
 * Issue 18 §1, durable replies for AI SDK clients: `GET {id}/stream` resumes the reply in progress
 * from its start (204 when there is none), on the instance writing it or another one following its
 * checkpoints; `POST {id}/stop` stops it from anywhere; a client that leaves (useChat's own stop,
 * a reload) does not. The client is the AI SDK's own: its transport, and its Chat state machine.
 */

const WORDS = Array.from({ length: 60 }, (_, i) => `word${i}`);
const LONG_TEXT = WORDS.join(' ');
/** 60 words at 40 ms: a reply of about 2.4 s. */
const SLOW = { text: LONG_TEXT, delayMs: 40, usage: { promptTokens: 20, completionTokens: 600 } };

const deltas = (chunks: readonly { type: string }[]) => chunks.filter((chunk) => chunk.type === 'text-delta').length;

/** Resolves once the chat's messages pass `check` (on the Chat's own change notifications, no polling). */
function waitForMessages(chat: Chat<UIMessage>, check: (messages: UIMessage[]) => boolean): Promise<void> {
  return new Promise((resolve) => {
    if (check(chat.messages)) return resolve();
    const unregister = chat['~registerMessagesCallback'](() => {
      if (!check(chat.messages)) return;
      unregister();
      resolve();
    });
  });
}

describe.each(databaseKinds())('AI SDK resume and stop on %s', (kind) => {
  let db: TestDatabase;
  let openai: FakeProviderServer;
  let anthropic: FakeProviderServer;
  let a: AiSdkInstance;
  let b: AiSdkInstance;
  let alice: string;

  beforeAll(async () => {
    db = await openTestDatabase(kind);
    [openai, anthropic] = await Promise.all([startFakeOpenAI(), startFakeAnthropic()]);
    // Checkpoints every 250 ms, a reply dead after 1 s without one (as tests/server/durable-replies).
    a = openAiSdkInstance(db.sql, { openai, anthropic }, { staleReplySeconds: 1, checkpointIntervalMs: 250 });
    b = openAiSdkInstance(db.sql, { openai, anthropic }, { staleReplySeconds: 1, checkpointIntervalMs: 250 });
    alice = await db.createUser();
  });
  afterAll(async () => {
    a?.halt();
    b?.halt();
    await Promise.all([openai?.close(), anthropic?.close()]);
    await db?.close();
  });
  beforeEach(() => {
    openai.reset();
    anthropic.reset();
  });

  const chatId = () => `chat-${Math.random().toString(36).slice(2, 12)}`;
  const savedMessages = async (instance: AiSdkInstance, id: string) =>
    ((await (await instance.fetchAs(alice)(`${API}/${id}/messages`)).json()) as { messages: UIMessage[] }).messages;
  const JSON_POST = { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' };
  const assistantRow = async (id: string) =>
    (await db.admin(`select content, status from public.ai_chat_messages where id = $1`, [id]))[0] as { content: string; status: string } | undefined;

  for (const where of ['the same instance', 'another instance'] as const) {
    it(`a reload mid-reply resumes on ${where}: the reply from its start then live, whole and shown once`, async () => {
      const id = chatId();
      openai.script(SLOW);
      const posted = await a.transport(alice).sendMessages({ chatId: id, messages: [userMessage('Take your time')], trigger: 'submit-message', messageId: undefined, abortSignal: undefined });
      // The page goes away after three words (the POST's reader leaves).
      const seen = await readUntil(posted, (chunks) => deltas(chunks) >= 3);
      const assistantId = (seen[0] as { messageId: string }).messageId;

      // The reloaded page: the saved chat (the question; the reply is not saved yet), then resume.
      const instance = where === 'the same instance' ? a : b;
      const initial = await savedMessages(instance, id);
      expect(initial.map((message) => message.role)).toEqual(['user']);
      const chat = new Chat<UIMessage>({ id, transport: instance.transport(alice), messages: initial });
      await chat.resumeStream();
      expect(chat.error).toBeUndefined();
      const assistants = chat.messages.filter((message) => message.role === 'assistant');
      expect(assistants).toHaveLength(1);
      expect(assistants[0]!.id).toBe(assistantId);
      expect(assistants[0]!.parts.filter((part) => part.type === 'text')).toHaveLength(1);
      expect(textOfMessage(assistants[0])).toBe(LONG_TEXT);
      expect(openai.requests).toHaveLength(1);
      expect(openai.aborts).toBe(0);
    });
  }

  it('a dropped connection resumed in the same page replaces the partial reply: no duplicated message or parts', async () => {
    const id = chatId();
    openai.script(SLOW);
    const posted = await a.transport(alice).sendMessages({ chatId: id, messages: [userMessage('Go slowly')], trigger: 'submit-message', messageId: undefined, abortSignal: undefined });
    const seen = await readUntil(posted, (chunks) => deltas(chunks) >= 3);
    const assistantId = (seen[0] as { messageId: string }).messageId;
    const partialText = seen.flatMap((chunk) => (chunk.type === 'text-delta' ? [chunk.delta] : [])).join('');
    const partial: UIMessage = { id: assistantId, role: 'assistant', parts: [{ type: 'step-start' }, { type: 'text', text: partialText, state: 'streaming' }] };
    const chat = new Chat<UIMessage>({ id, transport: b.transport(alice), messages: [userMessage('Go slowly'), partial] });
    await chat.resumeStream();
    expect(chat.messages).toHaveLength(2);
    expect(chat.messages[1]!.id).toBe(assistantId);
    expect(chat.messages[1]!.parts.filter((part) => part.type === 'text')).toHaveLength(1);
    expect(textOfMessage(chat.messages[1])).toBe(LONG_TEXT);
  });

  it('resume with nothing in progress answers 204, and the transport resumes nothing', async () => {
    const id = chatId();
    openai.script({ text: 'Quick answer.' });
    const posted = await a.transport(alice).sendMessages({ chatId: id, messages: [userMessage('Quick?')], trigger: 'submit-message', messageId: undefined, abortSignal: undefined });
    await readReply(posted);
    await eventually(async () => {
      const response = await b.fetchAs(alice)(`${API}/${id}/stream`);
      expect(response.status).toBe(204);
    });
    expect(await a.transport(alice).reconnectToStream({ chatId: id, abortSignal: undefined })).toBeNull();
    // A chat id never used, and another user asking for mine: nothing in progress either.
    expect((await a.fetchAs(alice)(`${API}/never-used/stream`)).status).toBe(204);
    const chat = new Chat<UIMessage>({ id, transport: b.transport(alice), messages: await savedMessages(b, id) });
    await chat.resumeStream();
    expect(chat.messages.map((message) => message.role)).toEqual(['user', 'assistant']);
    expect(chat.status).toBe('ready');
  });

  it('another user asking for my chat id resumes and stops nothing of mine', async () => {
    const id = chatId();
    openai.script(SLOW);
    const posted = await a.transport(alice).sendMessages({ chatId: id, messages: [userMessage('Mine')], trigger: 'submit-message', messageId: undefined, abortSignal: undefined });
    const reading = readReply(posted);
    const mallory = await db.createUser();
    for (const instance of [a, b]) {
      expect((await instance.fetchAs(mallory)(`${API}/${id}/stream`)).status).toBe(204);
      const stop = await instance.fetchAs(mallory)(`${API}/${id}/stop`, JSON_POST);
      expect(await stop.json()).toEqual({ chatId: id, state: 'idle' });
    }
    expect(textOfMessage((await reading).message)).toBe(LONG_TEXT);
  });

  it("useChat's own stop only leaves: the reply goes on, is saved whole and billed once", async () => {
    const id = chatId();
    openai.script(SLOW);
    const chat = new Chat<UIMessage>({ id, transport: a.transport(alice) });
    const sending = chat.sendMessage({ text: 'Keep going' });
    await waitForMessages(chat, (messages) => messages.at(-1)?.role === 'assistant' && textOfMessage(messages.at(-1)).split(' ').length >= 3);
    const assistantId = chat.messages.at(-1)!.id;
    await chat.stop();
    await sending;
    const row = await eventually(async () => {
      const found = await assistantRow(assistantId);
      expect(found?.status).toBe('complete');
      return found!;
    }, 10_000);
    expect(row.content).toBe(LONG_TEXT);
    expect(openai.aborts).toBe(0);
  });

  it('POST {id}/stop from a second transport on another instance stops the reply: the first sees it end, the bill stops', async () => {
    const id = chatId();
    openai.script(SLOW);
    const chat = new Chat<UIMessage>({ id, transport: a.transport(alice) });
    const sending = chat.sendMessage({ text: 'Go on and on' });
    await waitForMessages(chat, (messages) => messages.at(-1)?.role === 'assistant' && textOfMessage(messages.at(-1)).split(' ').length >= 3);
    const assistantId = chat.messages.at(-1)!.id;

    // The request guard applies as on our own routes: a stop must say it is JSON (no cross-site form can).
    expect((await b.fetchAs(alice)(`${API}/${id}/stop`, { method: 'POST' })).status).toBe(415);
    const stop = await b.fetchAs(alice)(`${API}/${encodeURIComponent(id)}/stop`, JSON_POST);
    expect(stop.status).toBe(202);
    expect(await stop.json()).toEqual({ chatId: id, state: 'stopping' });
    await sending;
    expect(chat.status).toBe('ready');
    expect(chat.error).toBeUndefined();
    const reply = chat.messages.at(-1)!;
    expect(reply.metadata).toMatchObject({ stopped: true });
    const shown = textOfMessage(reply);
    expect(shown.length).toBeLessThan(LONG_TEXT.length);
    expect(LONG_TEXT.startsWith(shown)).toBe(true);
    await openai.waitForAborts(1, 2_000);

    const row = await eventually(async () => {
      const found = await assistantRow(assistantId);
      expect(found?.status).toBe('partial');
      return found!;
    });
    expect(row.content).toBe(shown);
    const [usage] = await eventually(async () => {
      const rows = await db.admin(`select status, completion_tokens from public.ai_chat_usage where message_id = $1`, [assistantId]);
      expect(rows[0]?.status).toBe('settled');
      return rows;
    });
    expect(usage!.completion_tokens as number).toBeLessThan(600);
    // Nothing left to stop: 200 idle; a body that is not {} is refused.
    // Once the run's last checkpoint is written, nothing is left to stop: 200 idle.
    await eventually(async () => expect(await (await b.fetchAs(alice)(`${API}/${id}/stop`, JSON_POST)).json()).toEqual({ chatId: id, state: 'idle' }));
    expect((await b.fetchAs(alice)(`${API}/${id}/stop`, { ...JSON_POST, body: '[1]' })).status).toBe(400);
    expect((await b.fetchAs(alice)(`${API}/${id}/stop`)).status).toBe(405);
  });
}, 60_000);
