/**
 * The frame of a script made of timed steps: each step prints how long it took, a failure prints
 * what failed and why, and the clean-ups registered along the way run whatever happens (success,
 * failure, Ctrl-C, a hard deadline), newest first.
 */

/** A failure the script explains itself: `message` says what failed, `detail` shows the evidence. */
export class StepFailure extends Error {
  readonly detail: string | undefined;
  constructor(message: string, detail?: string) {
    super(message);
    this.name = 'StepFailure';
    this.detail = detail;
  }
}

type Cleanup = () => Promise<void> | void;

const cleanups: { name: string; run: Cleanup }[] = [];
const timings: { name: string; ms: number; ok: boolean }[] = [];

/** Registers work to undo at the end of the run; clean-ups run newest first. */
export function onCleanup(name: string, run: Cleanup): void {
  cleanups.push({ name, run });
}

async function runCleanups(): Promise<void> {
  while (cleanups.length > 0) {
    const { name, run } = cleanups.pop()!;
    try {
      await run();
    } catch (error) {
      console.error(`  clean-up "${name}" failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}

export const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** Runs one named step, printing its duration; a throw marks the step failed and propagates. */
export async function step<T>(name: string, work: () => Promise<T>): Promise<T> {
  const started = performance.now();
  process.stdout.write(`• ${name} …\n`);
  try {
    const result = await work();
    const ms = performance.now() - started;
    timings.push({ name, ms, ok: true });
    process.stdout.write(`  ✓ ${name} (${seconds(ms)})\n`);
    return result;
  } catch (error) {
    const ms = performance.now() - started;
    timings.push({ name, ms, ok: false });
    process.stdout.write(`  ✗ ${name} (${seconds(ms)})\n`);
    throw error;
  }
}

function printTimings(): void {
  if (timings.length === 0) return;
  const width = Math.max(...timings.map((t) => t.name.length));
  console.log('\nsteps:');
  for (const t of timings) console.log(`  ${t.ok ? '✓' : '✗'} ${t.name.padEnd(width)}  ${seconds(t.ms).padStart(8)}`);
}

/**
 * Runs `main` with clean-up on every exit path and exits 0 on success, 1 on failure. The deadline
 * bounds the whole run: past it the script fails, cleans up and exits even if a step hangs.
 */
export function runScript(title: string, deadlineMs: number, main: () => Promise<void>): void {
  const started = performance.now();
  let finished = false;

  const finish = async (code: number, reason?: unknown) => {
    if (finished) return;
    finished = true;
    clearTimeout(deadline);
    if (reason !== undefined) {
      console.error(`\n${title}: FAILED`);
      if (reason instanceof StepFailure) {
        console.error(`  ${reason.message}`);
        if (reason.detail) console.error(reason.detail.replace(/^/gm, '  | '));
      } else {
        console.error(reason instanceof Error ? (reason.stack ?? reason.message) : String(reason));
      }
    }
    await runCleanups();
    printTimings();
    console.log(`\n${title}: ${code === 0 ? 'passed' : 'failed'} in ${seconds(performance.now() - started)}`);
    process.exit(code);
  };

  const deadline = setTimeout(() => {
    void finish(1, new StepFailure(`the run did not finish within ${seconds(deadlineMs)}; stopped.`));
  }, deadlineMs);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => void finish(130, new StepFailure(`interrupted by ${signal}`)));
  }
  main().then(
    () => finish(0),
    (error: unknown) => finish(1, error),
  );
}
