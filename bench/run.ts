import { fileURLToPath } from 'node:url';
import { benchFirstLoad } from './client/first-load';
import { benchClientStreaming } from './client/streaming';
import { benchContextTruncation } from './context-truncation';
import { benchHandlerOverhead } from './handler-overhead';
import { benchLimitCheck } from './limit-check';
import { describeMachine } from './support/machine';
import { figuresMarkdown, rewriteFigures } from './support/report';

/**
 * `npm run bench`: runs every benchmark, prints the figures as markdown and rewrites the figures
 * section of docs/benchmarks.md. `--no-write` only prints; `--quick` runs few iterations (a smoke
 * run whose figures are not worth keeping, so it never writes).
 */
const args = new Set(process.argv.slice(2));
const quick = args.has('--quick');
const write = !quick && !args.has('--no-write');
const DOC = fileURLToPath(new URL('../docs/benchmarks.md', import.meta.url));

if (!(globalThis as { gc?: unknown }).gc) console.warn('bench: run with --expose-gc for steadier figures');

const machine = describeMachine();
const started = performance.now();
const step = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
  const at = performance.now();
  process.stderr.write(`bench: ${name}…`);
  const result = await work();
  process.stderr.write(` ${((performance.now() - at) / 1000).toFixed(1)} s\n`);
  return result;
};

const handler = await step('handler overhead', () => benchHandlerOverhead(quick ? { runs: 5, warmup: 2 } : { runs: 60, warmup: 10 }));
const truncation = await step('context truncation', () =>
  benchContextTruncation(quick ? { runs: 20, warmup: 5, unstoredRuns: 2 } : { runs: 500, warmup: 50, unstoredRuns: 7 }),
);
const limit = await step('limit check', () => benchLimitCheck(quick ? { runs: 20, warmup: 5 } : { runs: 300, warmup: 30 }));

const client = await step('client streaming (Chromium)', () =>
  benchClientStreaming(
    quick ? { lengths: [50, 200], deltas: 300, intervalMs: 4, runs: 1 } : { lengths: [50, 500], deltas: 2000, intervalMs: 4, runs: 5 },
  ),
);
const firstLoad = await step('first-load JavaScript (next build in a temporary copy)', () => benchFirstLoad());

const figures = figuresMarkdown({
  machine,
  seconds: (performance.now() - started) / 1000,
  handler,
  truncation,
  limit,
  client,
  firstLoad,
});
console.log(figures);
if (write) {
  await rewriteFigures(DOC, figures);
  process.stderr.write(`bench: figures written to ${DOC}\n`);
}
