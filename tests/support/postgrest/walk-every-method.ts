import type { ConversationRecord, MessageRecord, UsageSummary } from '@/features/ai-chat/protocol/records';
import type { UsageReservation, UserChatStore, CachedReply } from '@/features/ai-chat/store/chat-store';
import type { TestDatabase } from '../test-databases';

/** A conversation with two branches under one root, as the superuser seeded it. */
export interface SeededConversation {
  conversationId: string;
  root: string;
  first: string;
  /** The newer branch, so the active one. */
  second: string;
}

/** What each UserChatStore method returned on the walk. */
export interface Walk {
  listed: ConversationRecord[];
  listedBefore: ConversationRecord[];
  created: ConversationRecord;
  read: ConversationRecord | null;
  updated: ConversationRecord | null;
  /** setModelTitle on the renamed conversation (false) and on the seeded one (true). */
  modelTitleOverRename: boolean;
  modelTitle: boolean;
  pinned: ConversationRecord | null;
  /** The seeded conversation with the MCP server 'mail' turned off (a server-owned column), then read back. */
  toolsOff: ConversationRecord | null;
  toolsOffRead: ConversationRecord | null;
  archived: ConversationRecord | null;
  listedShown: ConversationRecord[];
  listedArchived: ConversationRecord[];
  appended: MessageRecord;
  continued: MessageRecord | null;
  messages: MessageRecord[];
  branch: MessageRecord[];
  branchThroughFirst: MessageRecord[];
  siblings: Record<string, string[]>;
  switchedTo: string | null;
  reservation: UsageReservation;
  summary: UsageSummary;
  cached: CachedReply | null;
  cacheMiss: CachedReply | null;
  deleted: boolean;
  readAfterDelete: ConversationRecord | null;
}

/** Seeds, as the superuser, a conversation with two branches under one root; `second` is active. */
export async function seedBranchedConversation(db: TestDatabase, userId: string): Promise<SeededConversation> {
  const [conversation] = (await db.admin(
    `insert into public.ai_chat_conversations (user_id, title, provider, model) values ($1, 'Seeded', 'openai', 'gpt-4o') returning id`,
    [userId],
  )) as [{ id: string }];
  const append = async (parent: string | null, role: string, content: string) =>
    ((await db.admin(`select id from public.ai_chat_append_message($1, $2, $3, $4, $5)`, [userId, conversation.id, parent, role, content])) as [
      { id: string },
    ])[0].id;
  const root = await append(null, 'user', 'What is a monad?');
  const first = await append(root, 'assistant', 'A monoid in the category of endofunctors.');
  const second = await append(root, 'assistant', 'A way to chain computations.');
  // A second apart, as a chat writes them: PGlite's clock counts milliseconds, and three appends
  // in one millisecond would tie on created_at and list in the order of their random ids.
  await db.admin(
    `update public.ai_chat_messages m set created_at = now() - make_interval(secs => 3 - o.n)
       from unnest($1::uuid[]) with ordinality as o(id, n) where m.id = o.id`,
    [[root, first, second]],
  );
  return { conversationId: conversation.id, root, first, second };
}

/**
 * Calls every UserChatStore method at least once, in the order a chat uses them, on the seeded
 * conversation and a new one (read again after the delete, to see it gone).
 */
export async function walkEveryMethod(store: UserChatStore, seeded: SeededConversation): Promise<Walk> {

  const listed = await store.listConversations();
  const created = await store.createConversation({
    title: 'Contract',
    systemPrompt: 'Be brief.',
    provider: 'anthropic',
    model: 'claude-sonnet-4-5',
  });
  // The next page after a chat, as the sidebar asks for it: its time and its id (an `or` filter).
  const listedBefore = await store.listConversations({ limit: 10, before: created.lastMessageAt, beforeId: created.id });
  const read = await store.getConversation(created.id);
  const updated = await store.updateConversation(created.id, { title: 'Renamed', summary: 'So far: nothing.' });
  const modelTitleOverRename = await store.setModelTitle(created.id, 'A model title');
  const modelTitle = await store.setModelTitle(seeded.conversationId, 'Monads explained');
  const pinned = await store.updateConversation(seeded.conversationId, { pinned: true });
  const toolsOff = await store.updateConversation(seeded.conversationId, { disabledMcpServers: ['mail'] });
  const toolsOffRead = await store.getConversation(seeded.conversationId);
  const archived = await store.updateConversation(created.id, { archived: true });
  const listedShown = await store.listConversations();
  const listedArchived = await store.listConversations({ archived: true });
  await store.updateConversation(created.id, { archived: false });
  const appended = await store.appendMessage({
    id: crypto.randomUUID(),
    conversationId: created.id,
    parentId: null,
    role: 'assistant',
    content: 'Hello!',
    status: 'partial',
    provider: 'anthropic',
    model: 'claude-sonnet-4-5',
    tokens: 3,
    cost: '0.0012500000',
    toolCalls: [{ id: 'call_1', name: 'search', arguments: { q: 'monads' } }],
    toolResults: null,
    metadata: { finishReason: 'stop' },
  });
  const continued = await store.continueMessage({
    id: appended.id,
    content: 'Hello! And more.',
    parts: [{ type: 'text', text: 'Hello! And more.' }],
    status: 'complete',
    tokens: 5,
    cost: '0.0025000000',
    metadata: { finishReason: 'stop', continuations: 1 },
  });
  const messages = await store.listMessages(seeded.conversationId);
  const branch = await store.getActiveBranch(seeded.conversationId);
  const branchThroughFirst = await store.getActiveBranch(seeded.conversationId, seeded.first);
  const siblings = await store.getBranchSiblings(seeded.conversationId);
  const switchedTo = await store.switchBranch(seeded.conversationId, seeded.first);
  const reservation = await store.reserveUsage({
    provider: 'anthropic',
    model: 'claude-sonnet-4-5',
    conversationId: created.id,
    estimatedTokens: 120.4,
    estimatedCost: '0.0020000000',
    maxTokensPerDay: 100_000,
    maxCostPerMonth: '5',
    maxRequestsPerMinute: 20,
  });
  if (!reservation.allowed) throw new Error(`reservation refused: ${reservation.reason}`);
  const hold = await store.holdUsage(reservation.reservationId, { tokens: 140, cost: '0.0025000000', maxTokensPerDay: 100_000, maxCostPerMonth: '5' });
  if (!hold.allowed) throw new Error(`hold refused: ${hold.reason}`);
  await store.settleUsage(reservation.reservationId, {
    provider: 'anthropic',
    model: 'claude-sonnet-4-5',
    promptTokens: 100,
    completionTokens: 20,
    cachedPromptTokens: 40,
    cost: '0.0015000000',
    messageId: appended.id,
  });
  await store.recordUsage({
    provider: 'anthropic',
    model: 'claude-haiku-4-5',
    promptTokens: 50,
    completionTokens: 10,
    cost: '0.0001000000',
    conversationId: created.id,
  });
  await store.saveSummary(seeded.conversationId, { summary: 'They talked about monads.', throughMessageId: seeded.first });
  const branchSummary = await store.getBranchSummary(seeded.conversationId, [seeded.first]);
  if (branchSummary?.summary !== 'They talked about monads.') throw new Error('the saved branch summary did not read back');
  const summary = await store.getUsageSummary();
  const cacheKey = 'a'.repeat(64);
  await store.putCachedReply(cacheKey, { provider: 'openai', model: 'gpt-4o', content: 'Cached answer.' }, 60);
  await store.putCachedReply(cacheKey, { provider: 'openai', model: 'gpt-4o', content: 'Ignored: the key is taken.' }, 60);
  const cached = await store.getCachedReply(cacheKey);
  const cacheMiss = await store.getCachedReply('b'.repeat(64));
  const deleted = await store.deleteConversation(created.id);
  const readAfterDelete = await store.getConversation(created.id);

  return {
    listed,
    listedBefore,
    created,
    read,
    updated,
    modelTitleOverRename,
    modelTitle,
    pinned,
    toolsOff,
    toolsOffRead,
    archived,
    listedShown,
    listedArchived,
    appended,
    continued,
    messages,
    branch,
    branchThroughFirst,
    siblings,
    switchedTo,
    reservation,
    summary,
    cached,
    cacheMiss,
    deleted,
    readAfterDelete,
  };
}
