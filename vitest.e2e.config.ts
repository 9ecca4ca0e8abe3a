import { defineConfig } from 'vitest/config';

// Browser scenarios against the production build: one `next build` and one `next start` for the
// whole run (tests/e2e/global-setup.ts), so test files run one after another.
export default defineConfig({
  test: {
    include: ['tests/e2e/**/*.test.ts'],
    environment: 'node',
    globalSetup: ['tests/e2e/global-setup.ts'],
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // The build alone takes one to two minutes on a 2-core machine.
    teardownTimeout: 30_000,
  },
});
