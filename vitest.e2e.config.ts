import { defineConfig } from 'vitest/config';
import { E2E_LANES } from './tests/e2e/support/lanes';

// Browser scenarios against the production build: one `next build` for the whole run, and each
// lane's own `next start`s (tests/e2e/global-setup.ts). Files run E2E_LANES at a time, one per
// lane; the tests with a time bound run alone (tests/e2e/support/lanes.ts).
export default defineConfig({
  test: {
    include: ['tests/e2e/**/*.test.ts'],
    environment: 'node',
    globalSetup: ['tests/e2e/global-setup.ts'],
    setupFiles: ['tests/e2e/support/lane-setup.ts'],
    maxWorkers: E2E_LANES,
    fileParallelism: E2E_LANES > 1,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // The build alone takes one to two minutes on a 2-core machine.
    teardownTimeout: 30_000,
  },
});
