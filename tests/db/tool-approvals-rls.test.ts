import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseKinds, openTestDatabase, type TestDatabase } from '../support/test-databases';

/**
 * Issue 22: a pending tool approval is a row under row-level security. An attacker with a user's
 * JWT (as PostgREST runs it) reads only their own, and cannot approve anything by writing the row
 * or calling the server's functions: only the server, which checks the answer, moves it.
 */

describe.each(databaseKinds())('tool approvals under row-level security on %s', (kind) => {
  let db: TestDatabase;
  let alice: string;
  let bob: string;
  let approvalId: string;
  let replyId: string;

  async function as(userId: string, role: 'anon' | 'authenticated', text: string, params: unknown[] = []): Promise<{ rows: Record<string, unknown>[]; errorCode?: string }> {
    const rollback = new Error('rollback');
    let outcome: { rows: Record<string, unknown>[]; errorCode?: string } = { rows: [] };
    await db.sql
      .transaction(async (tx) => {
        await tx.query(`select set_config('role', $1, true), set_config('request.jwt.claims', $2, true)`, [role, JSON.stringify({ sub: userId, role })]);
        try {
          outcome = { rows: (await tx.query<Record<string, unknown>>(text, params)).rows };
        } catch (error) {
          outcome = { rows: [], errorCode: (error as { code?: string }).code ?? 'unknown' };
        }
        throw rollback;
      })
      .catch((error) => {
        if (error !== rollback) throw error;
      });
    return outcome;
  }

  beforeAll(async () => {
    db = await openTestDatabase(kind);
    alice = await db.createUser();
    bob = await db.createUser();
    const [conversation] = await db.admin(
      `insert into public.ai_chat_conversations (user_id, title, provider, model) values ($1, 'c', 'openai', 'gpt-4o') returning id`,
      [alice],
    );
    approvalId = randomUUID();
    replyId = randomUUID();
    const [asked] = await db.admin(
      `select public.ai_chat_tool_approval_request($1, $2, $3, $4, 'call_1', 'delete_file', '{"path":"a"}'::jsonb, 60) as ok`,
      [alice, approvalId, replyId, conversation!.id],
    );
    expect(asked!.ok).toBe(true);
  });
  afterAll(async () => {
    await db?.close();
  });

  it('the owner reads their approval; another user and anon see nothing', async () => {
    expect((await as(alice, 'authenticated', `select state from public.ai_chat_tool_approvals`)).rows).toEqual([{ state: 'pending' }]);
    expect((await as(bob, 'authenticated', `select state from public.ai_chat_tool_approvals`)).rows).toEqual([]);
    expect((await as(bob, 'anon', `select state from public.ai_chat_tool_approvals`)).errorCode).toBe('42501');
  });

  it('nobody approves by writing the row, not even its owner', async () => {
    for (const userId of [alice, bob]) {
      expect((await as(userId, 'authenticated', `update public.ai_chat_tool_approvals set state = 'approved'`)).errorCode).toBe('42501');
      expect((await as(userId, 'authenticated', `delete from public.ai_chat_tool_approvals`)).errorCode).toBe('42501');
    }
    const insert = await as(bob, 'authenticated', `insert into public.ai_chat_tool_approvals (id, reply_id, user_id, conversation_id, tool_call_id, tool_name, expires_at) select gen_random_uuid(), gen_random_uuid(), $1, id, 'x', 'x', now() from public.ai_chat_conversations`, [bob]);
    expect(insert.errorCode).toBe('42501');
  });

  it('the server\'s functions are not a user\'s to call', async () => {
    for (const text of [
      `select public.ai_chat_tool_approval_answer($1, $2, $3, true)`,
      `select public.ai_chat_tool_approval_state($3)`,
      `select public.ai_chat_tool_approval_expire($3)`,
    ]) {
      const outcome = await as(alice, 'authenticated', text.replace('$3', `'${approvalId}'`).replace('$1', `'${alice}'`).replace('$2', `'${replyId}'`));
      expect(outcome.errorCode, text).toBe('42501');
    }
    const [row] = await db.admin(`select state from public.ai_chat_tool_approvals where id = $1`, [approvalId]);
    expect(row!.state).toBe('pending');
  });
});
