import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';

/** What the database holds for a set of conversations, read as the database owner. */
export interface StoredTurns {
  conversations: number;
  /** conversation id → its messages, oldest first. */
  messages: Map<string, { role: string; status: string; content: string }[]>;
  /** conversation id → its usage rows. */
  usage: Map<string, { status: string; promptTokens: number; completionTokens: number }[]>;
}

/** Reply-run rows (A1's durable replies), and the row writes the statistics saw on those tables. */
export interface ReplyRunRows {
  runs: number;
  /** Checkpoint chunks still kept (a finished run's are deleted 60 s after it ends). */
  eventRows: number;
  /** pg_stat_user_tables n_tup_ins / n_tup_upd on ai_chat_reply_events and ai_chat_reply_runs, when counted. */
  eventInserts: number;
  runInserts: number;
  runUpdates: number;
}

type Query = <Row>(sql: string, params?: unknown[]) => Promise<{ rows: Row[] }>;

async function readWith(query: Query, conversationIds: readonly string[]): Promise<StoredTurns> {
  const conversations = await query<{ count: number }>('select count(*)::int as count from public.ai_chat_conversations where id = any($1::uuid[])', [
    conversationIds,
  ]);
  const messages = await query<{ conversation_id: string; role: string; status: string; content: string }>(
    `select conversation_id, role, status, content from public.ai_chat_messages
      where conversation_id = any($1::uuid[]) order by conversation_id, created_at, role desc`,
    [conversationIds],
  );
  const usage = await query<{ conversation_id: string; status: string; prompt_tokens: number; completion_tokens: number }>(
    'select conversation_id, status, prompt_tokens, completion_tokens from public.ai_chat_usage where conversation_id = any($1::uuid[])',
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
}

/** The reply-run tables' rows and write counts; null when the database has no such tables (before durable replies). */
async function replyRowsWith(query: Query): Promise<ReplyRunRows | null> {
  const exists = await query<{ present: boolean }>(`select to_regclass('public.ai_chat_reply_events') is not null as present`);
  if (!exists.rows[0]?.present) return null;
  const runs = await query<{ count: number }>('select count(*)::int as count from public.ai_chat_reply_runs');
  const events = await query<{ count: number }>('select count(*)::int as count from public.ai_chat_reply_events');
  const stats = await query<{ relname: string; ins: number; upd: number }>(
    `select relname, n_tup_ins::int as ins, n_tup_upd::int as upd from pg_stat_user_tables
      where schemaname = 'public' and relname in ('ai_chat_reply_events', 'ai_chat_reply_runs')`,
  );
  const stat = (name: string) => stats.rows.find((row) => row.relname === name);
  return {
    runs: runs.rows[0]?.count ?? 0,
    eventRows: events.rows[0]?.count ?? 0,
    eventInserts: stat('ai_chat_reply_events')?.ins ?? 0,
    runInserts: stat('ai_chat_reply_runs')?.ins ?? 0,
    runUpdates: stat('ai_chat_reply_runs')?.upd ?? 0,
  };
}

/**
 * Opens the data folder the server wrote (PGlite is single-process: the server must have stopped)
 * and reads back the given conversations.
 */
export async function readStoredTurns(dataDir: string, conversationIds: readonly string[]): Promise<StoredTurns> {
  const db = await PGlite.create(dataDir);
  try {
    return await readWith((sql, params) => db.query(sql, params), conversationIds);
  } finally {
    await db.close();
  }
}

/** The reply-run rows in a stopped server's PGlite folder (statistics do not survive a restart there: counts only). */
export async function readEmbeddedReplyRows(dataDir: string): Promise<ReplyRunRows | null> {
  const db = await PGlite.create(dataDir);
  try {
    return await replyRowsWith((sql, params) => db.query(sql, params));
  } finally {
    await db.close();
  }
}

/** The same reads on a PostgreSQL server, as the connection's (owner) role. */
export async function readPostgresTurns(url: string, conversationIds: readonly string[]): Promise<StoredTurns> {
  return withClient(url, (query) => readWith(query, conversationIds));
}

/** Reply-run rows and write counts on a PostgreSQL server. */
export async function readPostgresReplyRows(url: string): Promise<ReplyRunRows | null> {
  return withClient(url, (query) => replyRowsWith(query));
}

async function withClient<T>(url: string, work: (query: Query) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(async <Row>(sql: string, params?: unknown[]) => ({ rows: (await client.query(sql, params)).rows as Row[] }));
  } finally {
    await client.end();
  }
}
