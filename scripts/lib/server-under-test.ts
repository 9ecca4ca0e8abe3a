import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { freePort, startProcess, waitForHttp, type RunningProcess } from './child-processes';
import { onCleanup } from './run-steps';

/** One `next start` of a built copy, on a loopback port. */
export interface NextServer {
  base: string;
  port: number;
  process: RunningProcess;
}

export interface NextServerOptions {
  /** The built copy's root (ensureBuiltCopy). */
  appDir: string;
  /** The app's environment on top of ours (undefined removes a variable). */
  env: Record<string, string | undefined>;
  /** Write a V8 CPU profile of the server into this folder when it exits. */
  cpuProfileDir?: string;
  port?: number;
  name?: string;
}

/**
 * Variables of ours that must never reach an app under test: a CI shell exports the test suites'
 * database URL, and `DATABASE_URL` selects the Postgres store.
 */
const NOT_FOR_THE_APP = ['DATABASE_URL', 'TEST_DATABASE_URL', 'AI_CHAT_STORE', 'AI_CHAT_DATA_DIR', 'AI_CHAT_AUTH'];

/** Starts `next start` and waits until it answers GET /api/chat/config. */
export async function startNextServer(options: NextServerOptions): Promise<NextServer> {
  const port = options.port ?? (await freePort());
  const base = `http://127.0.0.1:${port}`;
  const profile = options.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(options.cpuProfileDir)}`] : [];
  const nextCli = path.join(options.appDir, 'node_modules/next/dist/bin/next');
  const env: Record<string, string | undefined> = Object.fromEntries(NOT_FOR_THE_APP.map((name) => [name, undefined]));
  const server = startProcess(options.name ?? 'next start', process.execPath, [...profile, nextCli, 'start', '-H', '127.0.0.1', '-p', String(port)], {
    cwd: options.appDir,
    // Titles off: the load runs measure the turn, one provider call as the reference relay makes,
    // and count one usage row per chat. A title is a second call after the reply (issue 20),
    // billed but not a request; a run that wants it passes AI_CHAT_TITLES=on.
    env: { ...env, NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: '1', AI_CHAT_TITLES: 'off', ...options.env },
  });
  await waitForHttp(`${base}/api/chat/config`, server, 60_000);
  return { base, port, process: server };
}

/** A fresh PGlite data folder, removed at clean-up. */
export async function freshDataDir(prefix = 'ai-chat-load-data-'): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  onCleanup('remove the data folder', () => rm(dir, { recursive: true, force: true }));
  return dir;
}
