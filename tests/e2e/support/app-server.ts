import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const NEXT_BIN = `${ROOT}node_modules/next/dist/bin/next`;

export { freePort } from '../../../scripts/lib/child-processes';

/** Runs `next <args>` in its own process group, keeping the last output for error messages. */
function spawnNext(args: string[], env: NodeJS.ProcessEnv): { child: ChildProcess; output: () => string } {
  const child = spawn(process.execPath, [NEXT_BIN, ...args], {
    cwd: ROOT,
    env,
    detached: true, // its own process group, so teardown can kill next and its workers together
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let tail = '';
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString('utf8')).slice(-8_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  // E2E_APP_LOG_DIR=<dir> keeps each server's whole output, in <dir>/next-<args>.log (debugging a journey).
  const logDir = process.env.E2E_APP_LOG_DIR;
  if (logDir) {
    const log = createWriteStream(join(logDir, `next-${args.join('-').replace(/[^\w.-]+/g, '_')}.log`));
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
  }
  return { child, output: () => tail };
}

function exitOf(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

/** `next build` into the project's `.next` with exactly `env`; throws with the build's output on failure. */
export async function buildApp(env: NodeJS.ProcessEnv): Promise<void> {
  const { child, output } = spawnNext(['build'], env);
  const code = await exitOf(child);
  if (code !== 0) throw new Error(`next build failed (exit ${code}):\n${output()}`);
}

export interface RunningApp {
  url: string;
  stop(): Promise<void>;
}

/** `next start` on `port`; resolves once the app answers its config route. */
export async function startApp(env: NodeJS.ProcessEnv, port: number, timeoutMs = 60_000): Promise<RunningApp> {
  const { child, output } = spawnNext(['start', '-p', String(port), '-H', '127.0.0.1'], env);
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode !== null || child.pid === undefined) return;
    const exited = exitOf(child);
    process.kill(-child.pid, 'SIGTERM');
    const timer = setTimeout(() => child.pid && process.kill(-child.pid, 'SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  };

  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`next start exited (${child.exitCode}):\n${output()}`);
    try {
      const response = await fetch(`${url}/api/chat/config`);
      if (response.ok) return { url, stop };
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  await stop();
  throw new Error(`next start did not answer within ${timeoutMs} ms:\n${output()}`);
}
