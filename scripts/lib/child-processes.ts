import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { getPriority } from 'node:os';
import { onCleanup, StepFailure } from './run-steps';

/** What a child was started with. Children get their own process group so the whole tree can be stopped. */
export interface ProcessOptions {
  cwd: string;
  env?: Record<string, string | undefined>;
  /** Echo the child's output to ours as it comes, prefixed with the process name. */
  echo?: boolean;
}

/** A child process started in its own process group, with its output kept for error messages. */
export interface RunningProcess {
  readonly name: string;
  readonly pid: number;
  readonly child: ChildProcess;
  /** The last ~64 KiB of stdout and stderr, interleaved. */
  output(): string;
  /** Resolves when the process has exited. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** True once it has exited. */
  hasExited(): boolean;
  /** SIGTERM to the process group, SIGKILL after `graceMs`; resolves once it has exited. */
  stop(graceMs?: number): Promise<void>;
  /** SIGKILL to the whole process group at once (a crash, no clean-up); resolves once it has exited. */
  kill(): Promise<void>;
}

const KEEP_CHARS = 64 * 1024;

/**
 * The environment for a child: ours without npm's `npm_*` variables (a nested npm or next must not
 * take the outer `npm run`'s config) and without DATABASE_URL, plus `extra` (an `undefined` value removes a variable).
 */
export function childEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of Object.keys(env)) if (key.startsWith('npm_')) delete env[key];
  // A shell's DATABASE_URL would pick the child app's store; a script that means it passes it in `extra`.
  delete env.DATABASE_URL;
  for (const [key, value] of Object.entries(extra)) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  return env;
}

/** Starts `command` in its own process group; it is stopped at clean-up if still running. */
export function startProcess(name: string, command: string, args: readonly string[], options: ProcessOptions): RunningProcess {
  const child = spawn(command, [...args], {
    cwd: options.cwd,
    env: childEnv(options.env),
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid === undefined) throw new StepFailure(`could not start ${name} (${command})`);
  const pid = child.pid;
  keepNiceness(pid);
  let kept = '';
  const keep = (chunk: Buffer) => {
    const text = chunk.toString('utf8');
    kept = (kept + text).slice(-KEEP_CHARS);
    if (options.echo) process.stdout.write(text.replace(/^(?=.)/gm, `  [${name}] `));
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);

  let done = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      done = true;
      resolve({ code, signal });
    });
    child.once('error', (error) => {
      kept += `\n${String(error)}`;
      done = true;
      resolve({ code: -1, signal: null });
    });
  });

  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-pid, signal);
    } catch {
      // The group is already gone.
    }
  };

  const running: RunningProcess = {
    name,
    pid,
    child,
    output: () => kept,
    exited,
    hasExited: () => done,
    async stop(graceMs = 5_000) {
      if (!done) signalGroup('SIGTERM');
      const killed = await Promise.race([exited.then(() => true), sleep(graceMs).then(() => false)]);
      // The leader may be gone while children it started live on: sweep the group either way.
      signalGroup('SIGKILL');
      if (!killed) await Promise.race([exited, sleep(2_000)]);
    },
    async kill() {
      signalGroup('SIGKILL');
      await Promise.race([exited, sleep(5_000)]);
    },
  };
  onCleanup(`stop ${name}`, () => running.stop());
  return running;
}

/** Runs a command to completion; fails with its output's tail when it exits non-zero or overruns `timeoutMs`. */
export async function runProcess(
  name: string,
  command: string,
  args: readonly string[],
  options: ProcessOptions & { timeoutMs: number },
): Promise<string> {
  const running = startProcess(name, command, args, options);
  const result = await Promise.race([running.exited, sleep(options.timeoutMs).then(() => 'timeout' as const)]);
  if (result === 'timeout') {
    await running.stop();
    throw new StepFailure(`${name} did not finish within ${options.timeoutMs / 1000} s`, tail(running.output()));
  }
  if (result.code !== 0) {
    throw new StepFailure(`${name} failed (exit ${result.code ?? result.signal})`, tail(running.output()));
  }
  return running.output();
}

/** The last `lines` lines of a log. */
export function tail(text: string, lines = 60): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A TCP port free on 127.0.0.1 right now (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Polls `url` until it answers (any status below 500), failing early if `process` exits and
 * after `timeoutMs` otherwise.
 */
export async function waitForHttp(url: string, server: RunningProcess, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  let last = 'no answer yet';
  while (Date.now() < until) {
    if (server.hasExited()) throw new StepFailure(`${server.name} exited before answering ${url}`, tail(server.output()));
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
      await response.arrayBuffer();
      if (response.status < 500) return;
      last = `HTTP ${response.status}`;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    await sleep(250);
  }
  throw new StepFailure(`${server.name} did not answer ${url} within ${timeoutMs / 1000} s (${last})`, tail(server.output()));
}

/**
 * A child in its own session (`detached`) gets a scheduler autogroup of its own, which Linux
 * shares the CPU with as an equal of ours whatever our nice value. So a script run at low
 * priority (CI starts the proofs at nice 19 beside the suites) hands its nice value on to that
 * group; otherwise its `next build` would take half the machine from the suites. Without
 * CAP_SYS_ADMIN the kernel takes one such change per 100 ms machine-wide (EAGAIN otherwise), and
 * both proofs start children at once: a refused write is tried again a few times.
 */
function keepNiceness(pid: number, attempt = 0): void {
  const nice = getPriority();
  if (nice <= 0) return;
  try {
    writeFileSync(`/proc/${pid}/autogroup`, String(nice));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EAGAIN' && attempt < 20) {
      setTimeout(() => keepNiceness(pid, attempt + 1), 60).unref();
    } else if (code === 'EAGAIN') {
      console.warn(`  (pid ${pid} keeps nice 0 for its group: the kernel refused the change 20 times)`);
    }
    // Otherwise no autogroups (another OS, a kernel without them, or the child already gone):
    // the child's own nice value holds.
  }
}
