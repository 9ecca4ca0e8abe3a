import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import EnvironmentSequencer from './tests/support/environment-sequencer';

const root = fileURLToPath(new URL('./', import.meta.url));

export default defineConfig({
  resolve: {
    alias: [
      { find: /^@\//, replacement: root },
      { find: /^server-only$/, replacement: `${root}tests/support/server-only-stub.ts` },
    ],
  },
  test: {
    include: ['tests/**/*.test.{ts,tsx}'],
    exclude: ['tests/e2e/**', 'node_modules/**'],
    environment: 'node',
    // PGlite boots a WASM Postgres per suite; give the first query room on a 2-core machine.
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Vitest's default is one worker per core less one: a single worker on 2 cores, idle while its
    // suite waits on a paced loopback stream. More keep 2 cores busy while two of them wait on
    // the durable-reply and resume suites' paced replies: 141 s with two, 121 s with three on this
    // 2-core machine; once workers lent each other's PGlite databases (pglite-pool.ts) and the
    // run's CPU fell by 40 %, four: 109 s against three's 130 s, back to back (issue 17).
    maxWorkers: Math.max(4, availableParallelism() - 1),
    // A worker keeps its module cache from file to file: re-importing the SDKs, React and jsdom
    // per file was 102 s of the workers' 245 s of CPU; without it the run took 180-195 s of CPU
    // (issue 17; every test passing both ways, also on main's tree). Each file still gets a fresh environment and its own
    // databases; `npx vitest run --isolate` brings per-file isolation back to hunt a leak.
    isolate: false,
    // Files of one environment together, so a worker runs many of them (see the sequencer).
    sequence: { sequencer: EnvironmentSequencer },
    globalSetup: ['tests/support/global-setup.ts'],
    setupFiles: ['tests/support/jsdom-node-bodies.ts', 'tests/support/testing-library-timeouts.ts'],
  },
});
