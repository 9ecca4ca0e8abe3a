import { PGlite } from '@electric-sql/pglite';

/** What the PGlite data folder holds for a set of conversations, read as the database owner. */
export interface StoredTurns {
  conversations: number;
  /** conversation id → its messages, oldest first. */
  messages: Map<string, { role: string; status: string; content: string }[]>;
  /** conversation id → its usage rows. */
  usage: Map<string, { status: string; promptTokens: number; completionTokens: number }[]>;
}

/**
 * Opens the data folder the server wrote (PGlite is single-process: the server must have stopped)
 * and reads back the given conversations.
 */
export async function readStoredTurns(dataDir: string, conversationIds: readonly string[]): Promise<StoredTurns> {
  const db = await PGlite.create(dataDir);
  try {
    const conversations = await db.query<{ count: number }>('select count(*)::int as count from public.conversations where id = any($1::uuid[])', [
      conversationIds,
    ]);
    const messages = await db.query<{ conversation_id: string; role: string; status: string; content: string }>(
      `select conversation_id, role, status, content from public.messages
        where conversation_id = any($1::uuid[]) order by conversation_id, created_at, role desc`,
      [conversationIds],
    );
    const usage = await db.query<{ conversation_id: string; status: string; prompt_tokens: number; completion_tokens: number }>(
      'select conversation_id, status, prompt_tokens, completion_tokens from public.ai_usage where conversation_id = any($1::uuid[])',
      [conversationIds],
    );
    const byConversation = <Row extends { conversation_id: string }, Out>(rows: Row[], map: (row: Row) => Out) => {
      const grouped = new Map<string, Out[]>();
      for (const row of rows) grouped.set(row.conversation_id, [...(grouped.get(row.conversation_id) ?? []), map(row)]);
      return grouped;
    };
    return {
      conversations: conversations.rows[0]?.count ?? 0,
      messages: byConversation(messages.rows, ({ role, status, content }) => ({ role, status, content })),
      usage: byConversation(usage.rows, (row) => ({ status: row.status, promptTokens: row.prompt_tokens, completionTokens: row.completion_tokens })),
    };
  } finally {
    await db.close();
  }
}
