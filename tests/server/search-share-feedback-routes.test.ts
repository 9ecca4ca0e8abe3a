import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { conversationFeedbackSchema, feedbackSavedSchema, type FeedbackReport } from '@/features/ai-chat/protocol/feedback';
import { errorResponseSchema } from '@/features/ai-chat/protocol/rest';
import { searchResultsSchema } from '@/features/ai-chat/protocol/search';
import { shareStatusSchema } from '@/features/ai-chat/protocol/share';
import { conversationExportSchema } from '@/features/ai-chat/protocol/export';
import type { UserChatStore } from '@/features/ai-chat/store/chat-store';
import { startChatHarness, type ChatHarness } from '../support/chat-harness';

/**
 * The search, share and feedback routes through the real handler on the embedded store, as two
 * signed-in users (the handler's `authenticate`) and a hostile client: every bad input is a 4xx
 * with a JSON error, never a 500; another user's chat or reply is 404 exactly as a missing one.
 */

const reports: FeedbackReport[] = [];
let h: ChatHarness;
let alice: UserChatStore;

function as(user: string, method: string, path: string, body?: unknown): Promise<Response> {
  return h.handler.route(
    new Request(`http://localhost/api/chat${path}`, {
      method,
      headers: { 'x-test-user': user, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    }),
  );
}

async function errorOf(response: Response) {
  return errorResponseSchema.parse(await response.json()).error;
}

async function aliceChat() {
  const conversation = await alice.createConversation({ title: 'Cooking', provider: 'openai', model: 'gpt-4o' });
  const question = await alice.appendMessage({ conversationId: conversation.id, parentId: null, role: 'user', content: 'How long to boil an egg?' });
  const reply = await alice.appendMessage({ conversationId: conversation.id, parentId: question.id, role: 'assistant', content: 'Seven minutes for a jammy yolk.', model: 'gpt-4o', cost: '0.002' });
  return { conversation, question, reply };
}

beforeAll(async () => {
  h = await startChatHarness({
    authenticate: async (request) => request.headers.get('x-test-user'),
    onFeedback: (report) => {
      reports.push(report);
    },
  });
  alice = await h.store.forUser('alice');
}, 120_000);
afterAll(async () => {
  await h?.close();
});

describe('GET /search', () => {
  it('finds a reply by the start of a word and marks it', async () => {
    const { reply } = await aliceChat();
    const response = await as('alice', 'GET', '/search?q=jamm');
    expect(response.status).toBe(200);
    const { results } = searchResultsSchema.parse(await response.json());
    expect(results.map((hit) => hit.messageId)).toContain(reply.id);
    expect(results.find((hit) => hit.messageId === reply.id)!.snippet).toContain('\u0002jammy\u0003');
    // Mallory searching the same word finds nothing of Alice's.
    expect(searchResultsSchema.parse(await (await as('mallory', 'GET', '/search?q=jammy')).json()).results).toEqual([]);
  });

  it('answers quotes, operators, NUL and control characters with results, never a 500', async () => {
    for (const q of [`'`, `"`, `\\`, `jammy:*`, `!jammy`, `jammy & | !`, `(jammy`, `jammy<->yolk`, `%00`, `\u0000jammy`, `jammy\u0000yolk`, `%ZZ`, `🙂`, ` `]) {
      const response = await as('alice', 'GET', `/search?q=${encodeURIComponent(q)}`);
      expect(response.status, JSON.stringify(q)).toBe(200);
      searchResultsSchema.parse(await response.json());
    }
    const raw = await as('alice', 'GET', '/search?q=%E0%A4%A&limit=5');
    expect(raw.status).toBe(200);
  });

  it('refuses a 10,000-character query, a missing one and a bad limit with a clear 400', async () => {
    const long = await as('alice', 'GET', `/search?q=${'a'.repeat(10_000)}`);
    expect(long.status).toBe(400);
    expect(await errorOf(long)).toMatchObject({ code: 'bad_request', field: 'q' });
    const missing = await as('alice', 'GET', '/search');
    expect(missing.status).toBe(400);
    expect(await errorOf(missing)).toMatchObject({ field: 'q' });
    for (const limit of ['0', '51', 'x', '1.5', '-1']) {
      expect((await as('alice', 'GET', `/search?q=egg&limit=${limit}`)).status, limit).toBe(400);
    }
    expect((await as('alice', 'POST', '/search?q=egg', {})).status).toBe(405);
  });
});

describe('share links', () => {
  it('the owner shares, sees the link, reads it without a session, and revokes it: then it is 404 at once', async () => {
    const { conversation } = await aliceChat();
    expect(shareStatusSchema.parse(await (await as('alice', 'GET', `/conversations/${conversation.id}/share`)).json())).toEqual({ share: null });
    const created = await as('alice', 'POST', `/conversations/${conversation.id}/share`, {});
    expect(created.status).toBe(201);
    const { share } = shareStatusSchema.parse(await created.json());
    expect(shareStatusSchema.parse(await (await as('alice', 'GET', `/conversations/${conversation.id}/share`)).json()).share).toEqual(share);

    const shared = await h.handler.readShare(share!.id);
    expect(shared?.messages.map((message) => message.content)).toEqual(['How long to boil an egg?', 'Seven minutes for a jammy yolk.']);
    expect(shared?.messages[1]).toMatchObject({ model: null, cost: null });

    expect((await as('alice', 'DELETE', `/conversations/${conversation.id}/share`)).status).toBe(204);
    expect(await h.handler.readShare(share!.id)).toBeNull();
    expect((await as('alice', 'DELETE', `/conversations/${conversation.id}/share`)).status).toBe(404);
  });

  it("another user's chat answers exactly as an unknown one; bad bodies are 400", async () => {
    const { conversation } = await aliceChat();
    const unknown = crypto.randomUUID();
    for (const method of ['GET', 'POST', 'DELETE']) {
      const theirs = await as('mallory', method, `/conversations/${conversation.id}/share`, method === 'POST' ? {} : undefined);
      const missing = await as('mallory', method, `/conversations/${unknown}/share`, method === 'POST' ? {} : undefined);
      expect(theirs.status, method).toBe(404);
      expect(await theirs.json()).toEqual(await missing.json());
    }
    expect((await as('alice', 'POST', `/conversations/${conversation.id}/share`, { showModels: 'yes' })).status).toBe(400);
    expect((await as('alice', 'POST', `/conversations/${conversation.id}/share`, { admin: true })).status).toBe(400);
    expect((await as('alice', 'POST', `/conversations/${conversation.id}/share`, '{')).status).toBe(400);
    expect((await as('alice', 'POST', `/conversations/not-a-uuid/share`, {})).status).toBe(404);
    expect((await as('alice', 'PATCH', `/conversations/${conversation.id}/share`, {})).status).toBe(405);
  });
});

describe('feedback', () => {
  it('rates a reply, changes it with a comment, tells onFeedback, and the export carries it', async () => {
    const { conversation, reply } = await aliceChat();
    reports.length = 0;
    const up = await as('alice', 'POST', `/messages/${reply.id}/feedback`, { rating: 'up' });
    expect(up.status).toBe(200);
    expect(feedbackSavedSchema.parse(await up.json()).feedback).toMatchObject({ messageId: reply.id, rating: 'up', comment: null });
    const down = await as('alice', 'POST', `/messages/${reply.id}/feedback`, { rating: 'down', comment: '  Too runny  ' });
    expect(feedbackSavedSchema.parse(await down.json()).feedback).toMatchObject({ rating: 'down', comment: 'Too runny' });
    expect(conversationFeedbackSchema.parse(await (await as('alice', 'GET', `/conversations/${conversation.id}/feedback`)).json()).feedback).toMatchObject([
      { messageId: reply.id, rating: 'down', comment: 'Too runny' },
    ]);
    expect(reports).toEqual([
      { userId: alice.userId, conversationId: conversation.id, messageId: reply.id, rating: 'up', comment: null },
      { userId: alice.userId, conversationId: conversation.id, messageId: reply.id, rating: 'down', comment: 'Too runny' },
    ]);
    const exported = conversationExportSchema.parse(await (await as('alice', 'GET', `/conversations/${conversation.id}/export`)).json());
    expect(exported.messages.find((message) => message.content.startsWith('Seven'))?.feedback).toEqual({ rating: 'down', comment: 'Too runny' });
    expect(exported.messages.find((message) => message.role === 'user')?.feedback).toBeUndefined();
  });

  it("feedback on another user's reply is 404 exactly as on an unknown one, and tells nobody", async () => {
    const { conversation, question, reply } = await aliceChat();
    reports.length = 0;
    const theirs = await as('mallory', 'POST', `/messages/${reply.id}/feedback`, { rating: 'down' });
    const unknown = await as('mallory', 'POST', `/messages/${crypto.randomUUID()}/feedback`, { rating: 'down' });
    expect(theirs.status).toBe(404);
    expect(await theirs.json()).toEqual(await unknown.json());
    expect((await as('mallory', 'GET', `/conversations/${conversation.id}/feedback`)).status).toBe(404);
    expect((await as('alice', 'POST', `/messages/${question.id}/feedback`, { rating: 'up' })).status).toBe(404);
    expect(reports).toEqual([]);
    expect(await h.sql('select count(*)::int as n from public.ai_chat_feedback where message_id = $1', [reply.id])).toEqual([{ n: 0 }]);
  });

  it('refuses a bad rating, a long comment and a NUL with 400', async () => {
    const { reply } = await aliceChat();
    for (const body of [{ rating: 'meh' }, {}, { rating: 'up', comment: 'x'.repeat(1001) }, { rating: 'up', comment: 'a\u0000b' }, { rating: 'up', extra: 1 }]) {
      const response = await as('alice', 'POST', `/messages/${reply.id}/feedback`, body);
      expect(response.status, JSON.stringify(body).slice(0, 40)).toBe(400);
    }
  });
});
