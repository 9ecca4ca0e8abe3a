import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConversationExport } from '@/features/ai-chat/protocol/export';
import { ChatError } from '@/features/ai-chat/protocol/errors';
import { errorResponseSchema } from '@/features/ai-chat/protocol/rest';
import { PostgresUserStore } from '@/features/ai-chat/store/postgres/postgres-user-store';
import { databaseKinds } from '../support/test-databases';
import { openLedgerRig, userRig, type LedgerRig } from './ledger-harness';

/**
 * Issue 19, finding 6 (a, b): a hostile import file gets a 400 naming the field, never a 500 from a
 * column it overflows; and a file that merely mentions `\u0000` as text is not a NUL.
 */

type ExportedMessage = ConversationExport['messages'][number];

function exportFile(overrides: Partial<ExportedMessage> = {}, conversation: Partial<ConversationExport['conversation']> = {}): ConversationExport {
  const now = new Date().toISOString();
  return {
    format: 'ai-chat.conversation',
    version: 1,
    exportedAt: now,
    conversation: { title: 'Imported', systemPrompt: null, provider: 'openai', model: 'gpt-4o', summary: null, createdAt: now, updatedAt: now, activeLeafId: null, ...conversation },
    messages: [
      {
        id: 'm0', parentId: null, role: 'assistant', content: 'Hi', status: 'complete', provider: 'openai', model: 'gpt-4o',
        tokens: 1, cost: '0.001', toolCalls: null, toolResults: null, metadata: {}, createdAt: now, ...overrides,
      },
    ],
  };
}

describe.each(databaseKinds())('import ranges and NUL, on %s', (kind) => {
  let rig: LedgerRig;
  beforeAll(async () => {
    rig = await openLedgerRig(kind);
  });
  afterAll(async () => {
    await rig?.close();
  });

  it.each([
    ['a cost that rounds past numeric(20,10)', 'messages.0.cost', { cost: '9999999999.99999999999' }],
    ['a cost of eleven whole digits', 'messages.0.cost', { cost: '12345678901' }],
    ['a token count past integer', 'messages.0.tokens', { tokens: 2_147_483_648 }],
    ['a message time in year 0', 'messages.0.createdAt', { createdAt: '0000-01-01T00:00:00Z' }],
    ['a message time on 30 February', 'messages.0.createdAt', { createdAt: '2026-02-30T00:00:00Z' }],
  ] as const)('%s is a 400 naming the field, and nothing is written', async (_name, field, overrides) => {
    const user = await userRig(rig);
    const response = await user.call('POST', '/conversations/import', exportFile(overrides as Partial<ExportedMessage>));
    expect(response.status).toBe(400);
    const { error } = errorResponseSchema.parse(await response.json());
    expect(error).toMatchObject({ code: 'bad_request', field });
    expect(await rig.db.admin('select 1 from public.ai_chat_conversations where user_id = $1', [user.userId])).toHaveLength(0);
  });

  it('the highest cost the column holds imports whole', async () => {
    const user = await userRig(rig);
    const response = await user.call('POST', '/conversations/import', exportFile({ cost: '9999999999.9999999999' }));
    expect(response.status).toBe(201);
    const [row] = await rig.db.admin(
      `select m.cost::text as cost from public.ai_chat_messages m join public.ai_chat_conversations c on c.id = m.conversation_id where c.user_id = $1`,
      [user.userId],
    );
    expect(row!.cost).toBe('9999999999.9999999999');
  });

  it('a cost overflowing its column at the store is a 400, not a 500 (SQLSTATE 22003)', async () => {
    const userId = await rig.db.createUser();
    const store = new PostgresUserStore(rig.db.sql, userId);
    const conversation = await store.createConversation({ provider: 'openai', model: 'gpt-4o' });
    const failure = await store
      .appendMessage({ conversationId: conversation.id, parentId: null, role: 'assistant', content: 'Hi', cost: '99999999999' })
      .then(() => null, (error: unknown) => error);
    expect(failure).toBeInstanceOf(ChatError);
    expect(failure).toMatchObject({ code: 'bad_request', status: 400 });
  });

  it('the text \\u0000 (a backslash, then u0000) in toolCalls, toolResults, metadata and parts imports byte for byte', async () => {
    const user = await userRig(rig);
    const literal = 'a JSON string: "\\u0000" is how NUL is written';
    const response = await user.call(
      'POST',
      '/conversations/import',
      exportFile({
        toolCalls: [{ id: 'c1', name: 'echo', args: { text: literal } }],
        toolResults: [{ id: 'c1', result: literal }],
        metadata: { note: literal, [literal]: 1 },
        parts: [{ type: 'text', text: literal }],
        content: literal,
      }),
    );
    expect(response.status).toBe(201);
    const [row] = await rig.db.admin(
      `select m.content, m.tool_calls, m.tool_results, m.metadata from public.ai_chat_messages m join public.ai_chat_conversations c on c.id = m.conversation_id
        where c.user_id = $1`,
      [user.userId],
    );
    expect(row!.content).toBe(literal);
    expect(row!.tool_calls).toEqual([{ id: 'c1', name: 'echo', args: { text: literal } }]);
    expect(row!.tool_results).toEqual([{ id: 'c1', result: literal }]);
    expect(row!.metadata).toMatchObject({ note: literal, [literal]: 1 });
  });

  it.each([
    ['toolCalls', 'messages.0.toolCalls', { toolCalls: [{ name: 'echo', args: { text: 'a\u0000b' } }] }],
    ['toolResults', 'messages.0.toolResults', { toolResults: [{ id: 'c1', result: 'a\u0000b' }] }],
    ['a metadata value', 'messages.0.metadata', { metadata: { note: 'a\u0000b' } }],
    ['a metadata key', 'messages.0.metadata', { metadata: { 'a\u0000b': 1 } }],
    ['parts', 'messages.0.parts', { parts: [{ type: 'text', text: 'a\u0000b' }] }],
  ] as const)('a real NUL in %s is still refused, naming the field', async (_name, field, overrides) => {
    const user = await userRig(rig);
    const response = await user.call('POST', '/conversations/import', exportFile(overrides as Partial<ExportedMessage>));
    expect(response.status).toBe(400);
    expect(errorResponseSchema.parse(await response.json()).error).toMatchObject({ code: 'bad_request', field });
  });
});
