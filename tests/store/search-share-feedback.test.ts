import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { searchTerms, snippetRuns } from '@/features/ai-chat/protocol/search';
import type { SharedConversationReader, UserChatStore } from '@/features/ai-chat/store/chat-store';
import { sqlSharedConversationReader } from '@/features/ai-chat/store/postgres/postgres-user-search-share-feedback';
import { PostgresUserStore } from '@/features/ai-chat/store/postgres/postgres-user-store';
import { databaseKinds, openTestDatabase, type TestDatabase } from '../support/test-databases';

/**
 * Search, share links and feedback through the SQL store, as a user and as a stranger, on PGlite
 * (the embedded store) and, with TEST_DATABASE_URL, on PostgreSQL 15. RLS decides every read.
 */
describe.each(databaseKinds())('search, share links and feedback on %s', (kind) => {
  let db: TestDatabase;
  let alice: UserChatStore;
  let mallory: UserChatStore;
  let shares: SharedConversationReader;

  /** A conversation with two branches: "Plan a trip" → (old reply about Lisbon | newer reply about Porto). */
  async function tripConversation(store: UserChatStore, title = 'Weekend plans') {
    const conversation = await store.createConversation({ title, provider: 'openai', model: 'gpt-4o' });
    const question = await store.appendMessage({ conversationId: conversation.id, parentId: null, role: 'user', content: 'Plan a trip' });
    const lisbon = await store.appendMessage({
      conversationId: conversation.id,
      parentId: question.id,
      role: 'assistant',
      content: 'Visit Lisbon and ride the funicular up to Bairro Alto.',
      model: 'gpt-4o',
      tokens: 12,
      cost: '0.0012500000',
    });
    const porto = await store.appendMessage({
      conversationId: conversation.id,
      parentId: question.id,
      role: 'assistant',
      content: 'Visit Porto for the bridges and the port wine cellars.',
      model: 'gpt-4o',
      tokens: 11,
      cost: '0.0011',
    });
    return { conversation, question, lisbon, porto };
  }

  beforeAll(async () => {
    db = await openTestDatabase(kind);
    alice = new PostgresUserStore(db.sql, await db.createUser());
    mallory = new PostgresUserStore(db.sql, await db.createUser());
    shares = sqlSharedConversationReader(db.sql);
  });
  afterAll(async () => {
    await db?.close();
  });

  describe('search', () => {
    it('finds a word of a reply on a branch not shown, by its start, with the word marked', async () => {
      const { conversation, lisbon } = await tripConversation(alice);
      const hits = await alice.search(searchTerms('funic'));
      expect(hits).toHaveLength(1);
      expect(hits[0]).toMatchObject({ kind: 'message', conversationId: conversation.id, messageId: lisbon.id, role: 'assistant', conversationTitle: 'Weekend plans' });
      expect(snippetRuns(hits[0]!.snippet).filter((run) => run.marked).map((run) => run.text)).toEqual(['funicular']);
      // Every word must match: "lisbon porto" is in no single message.
      expect(await alice.search(searchTerms('lisbon porto'))).toEqual([]);
      expect((await alice.search(searchTerms('VISIT lisb'))).map((hit) => hit.messageId)).toEqual([lisbon.id]);
    });

    it('finds chats by title, ranked above a passing mention in a message', async () => {
      const titled = await alice.createConversation({ title: 'Sourdough starter', provider: 'openai', model: 'gpt-4o' });
      const other = await alice.createConversation({ title: 'Bread', provider: 'openai', model: 'gpt-4o' });
      await alice.appendMessage({
        conversationId: other.id,
        parentId: null,
        role: 'user',
        content: 'I fed my sourdough and then went for a long walk along the river before lunch with friends',
      });
      const hits = await alice.search(searchTerms('sourdough'));
      expect(hits.map((hit) => [hit.kind, hit.conversationId])).toEqual([
        ['title', titled.id],
        ['message', other.id],
      ]);
    });

    it("never returns another user's messages or titles", async () => {
      await tripConversation(mallory, 'Mallory secret plans');
      await mallory.appendMessage({
        conversationId: (await mallory.createConversation({ provider: 'openai', model: 'gpt-4o' })).id,
        parentId: null,
        role: 'user',
        content: 'zanzibar password hunter2',
      });
      expect(await alice.search(searchTerms('zanzibar'))).toEqual([]);
      expect(await alice.search(searchTerms('mallory'))).toEqual([]);
      expect(await alice.search(searchTerms('hunter2'))).toEqual([]);
      expect(await mallory.search(searchTerms('zanzibar'))).toHaveLength(1);
      // Alice's own Lisbon replies only, never Mallory's copy.
      for (const hit of await alice.search(searchTerms('lisbon'))) expect(hit.conversationTitle).not.toContain('Mallory');
    });

    it('answers any text with results, never a database error: quotes, operators, backslashes, long words', async () => {
      await tripConversation(alice);
      const hostile = [
        `'`, `''`, `"`, `\\`, `\\'`, `':*`, `!`, `&|!<->`, `lisbon & !porto`, `lisbon:* | porto`, `(lisbon`, `lisbon)`,
        `'lisbon'`, `"lisbon"`, `lisbon<2>porto`, `a`.repeat(5000), `${'word '.repeat(2000)}`, `🙂 lisbon`, `\u0001\u0002lisbon\u0003`,
      ];
      for (const text of hostile) {
        const terms = searchTerms(text);
        await expect(alice.search(terms), text.slice(0, 40)).resolves.toBeInstanceOf(Array);
      }
      // Raw terms handed straight to the store (past the splitter) are still only words.
      for (const raw of [`'`, `\\`, `a' | 'b`, `x:*`, `!`, `''''`, `lisbon' & '`]) {
        await expect(alice.search([raw]), raw).resolves.toBeInstanceOf(Array);
      }
      expect((await alice.search(searchTerms('"lisbon" & !funicular:*'))).length).toBeGreaterThan(0);
    });
  });

  describe('share links', () => {
    it('shares the shown branch as it stands: a copy that later turns never reach, without models or costs', async () => {
      const { conversation, porto } = await tripConversation(alice);
      expect(await alice.getShare(conversation.id)).toBeNull();
      const link = await alice.createShare(conversation.id);
      expect(link).toMatchObject({ conversationId: conversation.id, showModels: false, showFiles: false });
      expect(link!.id).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(await alice.getShare(conversation.id)).toEqual(link);

      await alice.appendMessage({ conversationId: conversation.id, parentId: porto.id, role: 'user', content: 'And after that?' });
      const shared = await shares.read(link!.id);
      expect(shared).toMatchObject({ title: 'Weekend plans', showModels: false, showFiles: false });
      expect(shared!.messages.map((message) => [message.role, message.content])).toEqual([
        ['user', 'Plan a trip'],
        ['assistant', 'Visit Porto for the bridges and the port wine cellars.'],
      ]);
      expect(shared!.messages.every((message) => message.model === null && message.cost === null && message.tokens === null)).toBe(true);
      expect(JSON.stringify(shared)).not.toContain(conversation.id);
      expect(JSON.stringify(shared)).not.toContain(porto.id);

      // Sharing again refreshes the copy under the same link, with what the owner now chose.
      const again = await alice.createShare(conversation.id, { showModels: true });
      expect(again!.id).toBe(link!.id);
      const refreshed = await shares.read(link!.id);
      expect(refreshed!.messages).toHaveLength(3);
      expect(refreshed!.messages[1]).toMatchObject({ model: 'gpt-4o', tokens: 11, cost: '0.0011' });
    });

    it('a revoked link, a guessed one and a malformed one read as unknown, at once', async () => {
      const { conversation } = await tripConversation(alice);
      const link = (await alice.createShare(conversation.id))!;
      expect(await shares.read(link.id)).not.toBeNull();
      expect(await alice.revokeShare(conversation.id)).toBe(true);
      expect(await shares.read(link.id)).toBeNull();
      expect(await alice.getShare(conversation.id)).toBeNull();
      expect(await alice.revokeShare(conversation.id)).toBe(false);
      for (const guess of ['A'.repeat(43), `${link.id.slice(0, -1)}${link.id.endsWith('A') ? 'B' : 'A'}`, "' or 1=1 --", '', '../x', 'x'.repeat(10_000)]) {
        expect(await shares.read(guess)).toBeNull();
      }
      // A new share after a revoke is a new link: the old one stays dead.
      const fresh = (await alice.createShare(conversation.id))!;
      expect(fresh.id).not.toBe(link.id);
      expect(await shares.read(link.id)).toBeNull();
    });

    it("a stranger can neither share, see nor revoke someone else's link; deleting the chat kills its link", async () => {
      const { conversation } = await tripConversation(alice);
      const link = (await alice.createShare(conversation.id))!;
      expect(await mallory.createShare(conversation.id)).toBeNull();
      expect(await mallory.getShare(conversation.id)).toBeNull();
      expect(await mallory.revokeShare(conversation.id)).toBe(false);
      expect(await shares.read(link.id)).not.toBeNull();
      expect(await alice.deleteConversation(conversation.id)).toBe(true);
      expect(await shares.read(link.id)).toBeNull();
    });
  });

  describe('feedback', () => {
    it('rates a reply, changes it, adds a comment, clears it', async () => {
      const { conversation, porto } = await tripConversation(alice);
      expect(await alice.setFeedback(porto.id, 'up')).toMatchObject({ messageId: porto.id, conversationId: conversation.id, rating: 'up', comment: null });
      expect(await alice.setFeedback(porto.id, 'down', 'Too short')).toMatchObject({ rating: 'down', comment: 'Too short' });
      expect(await alice.listFeedback(conversation.id)).toMatchObject([{ messageId: porto.id, rating: 'down', comment: 'Too short' }]);
      expect(await alice.setFeedback(porto.id, null)).toMatchObject({ messageId: porto.id, rating: null });
      expect(await alice.listFeedback(conversation.id)).toEqual([]);
    });

    it("another user's reply, a question and an unknown id are not found; nobody reads another's feedback", async () => {
      const { conversation, question, porto } = await tripConversation(alice);
      await alice.setFeedback(porto.id, 'up', 'Great');
      expect(await mallory.setFeedback(porto.id, 'down', 'spam')).toBeNull();
      expect(await mallory.setFeedback(porto.id, null)).toBeNull();
      expect(await alice.setFeedback(question.id, 'up')).toBeNull();
      expect(await alice.setFeedback(crypto.randomUUID(), 'up')).toBeNull();
      expect(await alice.setFeedback('not-a-uuid', 'up')).toBeNull();
      expect(await mallory.listFeedback(conversation.id)).toEqual([]);
      expect(await alice.listFeedback(conversation.id)).toMatchObject([{ rating: 'up', comment: 'Great' }]);
    });
  });
});
