import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresChatStore, type PostgresChatStore } from '@/features/ai-chat/store/postgres/postgres-chat-store';
import { createServerDatabase, SUPABASE_DIR } from '../support/test-databases';

/**
 * The Postgres store behind PgBouncer in transaction mode (what Supabase's pooled connection and
 * most hosted poolers are): consecutive transactions of one client land on different server
 * connections, so any session state (a `set role`, a named prepared statement) would leak from one
 * user to the next or fail. Runs where the machine has a `pgbouncer` binary and the local server.
 */
const pgbouncer = spawnSync('sh', ['-c', 'command -v pgbouncer'], { encoding: 'utf8' }).stdout.trim();
const runnable = Boolean(process.env.TEST_DATABASE_URL && pgbouncer && process.getuid?.() === 0);
const PORT = 39_300 + Math.floor(Math.random() * 90);

async function waitForPort(port: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => {
        socket.end();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`pgbouncer did not listen on ${port}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe.skipIf(!runnable)('the Postgres store through PgBouncer in transaction mode', () => {
  let database: { url: string; drop(): Promise<void> };
  let dir: string;
  let bouncer: ChildProcess;
  let store: PostgresChatStore;

  beforeAll(async () => {
    database = await createServerDatabase({ migrated: true });
    const name = new URL(database.url).pathname.slice(1);
    dir = await mkdtemp(path.join(tmpdir(), 'ai-chat-pgbouncer-'));
    await chmod(dir, 0o777);
    // Two server connections for many clients: transactions of different users interleave on them.
    await writeFile(
      path.join(dir, 'pgbouncer.ini'),
      [
        '[databases]',
        `chat = host=/var/run/postgresql dbname=${name} user=postgres`,
        '[pgbouncer]',
        `listen_addr = 127.0.0.1`,
        `listen_port = ${PORT}`,
        `unix_socket_dir = ${dir}`,
        'auth_type = any',
        'pool_mode = transaction',
        'default_pool_size = 2',
        'max_client_conn = 100',
        `logfile = ${dir}/pgbouncer.log`,
        `pidfile = ${dir}/pgbouncer.pid`,
      ].join('\n'),
    );
    // pgbouncer refuses to run as root; as `postgres` it reaches the server by peer authentication.
    bouncer = spawn(pgbouncer, ['-u', 'postgres', path.join(dir, 'pgbouncer.ini')], { stdio: 'ignore' });
    await waitForPort(PORT);
    store = createPostgresChatStore({
      connectionString: `postgresql://anyone@127.0.0.1:${PORT}/chat`,
      maxConnections: 10,
      supabaseDir: SUPABASE_DIR,
      onPoolError: () => undefined,
    });
  });
  afterAll(async () => {
    await store?.close();
    bouncer?.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 200));
    await database?.drop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('runs forty users at once on two server connections, each seeing only their own rows', async () => {
    const users = await Promise.all(Array.from({ length: 40 }, (_, i) => store.forUser(`user_bouncer_${i}`)));
    const created = await Promise.all(
      users.map((user, i) => user.createConversation({ title: `Chat ${i}`, provider: 'openai', model: 'gpt-4o' })),
    );
    await Promise.all(
      users.map((user, i) => user.appendMessage({ conversationId: created[i]!.id, parentId: null, role: 'user', content: `hello ${i}` })),
    );
    const seen = await Promise.all(users.map((user) => user.listConversations()));
    seen.forEach((conversations, i) => expect(conversations.map((c) => c.title)).toEqual([`Chat ${i}`]));
    const branches = await Promise.all(users.map((user, i) => user.getActiveBranch(created[(i + 1) % users.length]!.id)));
    expect(branches.every((branch) => branch.length === 0)).toBe(true);
    const usage = await Promise.all(
      users.map((user) => user.reserveUsage({ provider: 'openai', model: 'gpt-4o', estimatedTokens: 10, estimatedCost: '0.001', maxTokensPerDay: 1000 })),
    );
    expect(usage.every((reservation) => reservation.allowed && reservation.tokensToday === 0)).toBe(true);
  });

  it('migrates under its advisory lock through the pooler too', async () => {
    const migrating = createPostgresChatStore({
      connectionString: `postgresql://anyone@127.0.0.1:${PORT}/chat`,
      migrate: true,
      supabaseDir: SUPABASE_DIR,
      onPoolError: () => undefined,
    });
    try {
      await expect(Promise.all([migrating.ready(), store.ready()])).resolves.toHaveLength(2);
    } finally {
      await migrating.close();
    }
  });
});
