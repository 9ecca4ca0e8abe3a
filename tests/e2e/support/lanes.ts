/**
 * The browser suite runs its files two at a time, in lanes. A lane is everything a journey
 * talks to: the app, its three variants (a tight daily limit, model-written titles, MCP tools),
 * the fake providers with their control endpoint, and the MCP server. Each lane has its own, so a
 * journey's scripted replies, a provider it makes fail, and the requests it counts are its own,
 * whatever runs in the other lane. Why two: one file at a time left the two cores 40 % idle,
 * waiting on paced replies and the browser's frames (issue 17: CI's critical path).
 *
 * This file holds no vitest runtime import: the config and the global setup read it too.
 */

/** How many files run at once (E2E_LANES=1 runs them one after another, as before). */
export const E2E_LANES = Math.max(1, Math.floor(Number(process.env.E2E_LANES ?? 2)) || 1);

export interface Lane {
  /** The app under test, e.g. http://127.0.0.1:41234 */
  baseUrl: string;
  /** This lane's fake providers' control endpoint (see providerControl). */
  providerControlUrl: string;
  /** The app again (same build) with its own database and a tight daily token limit (LIMITED_TOKENS_PER_DAY). */
  limitedBaseUrl: string;
  /** The app again with its own database and model-written titles on (AI_CHAT_TITLES). */
  titledBaseUrl: string;
  /** The app again with a real MCP server's tools (AI_CHAT_MCP_SERVERS). */
  toolsBaseUrl: string;
}

/**
 * The lane of this worker: vitest numbers its worker slots from 1 to maxWorkers (VITEST_POOL_ID),
 * and a slot is held by one file at a time, so two files running at once never share a lane.
 */
export function laneIndex(lanes: number, poolId = process.env.VITEST_POOL_ID): number {
  const slot = Number(poolId ?? 1);
  if (!Number.isInteger(slot) || slot < 1 || slot > lanes) {
    throw new Error(`worker slot ${poolId} has no lane of ${lanes}: run the browser suite with maxWorkers = E2E_LANES`);
  }
  return slot - 1;
}

/**
 * Tests that hold a time bound a crowded machine could break: while one runs, the other lane
 * runs nothing (tests/e2e/support/machine-lock.ts). By file, then the start of the test's name,
 * with the bound each one holds. Only those tests run alone: the rest of their files (the durable
 * journeys' paced replies, 50 s of a 58 s file) run beside the other lane.
 */
export const RUNS_ALONE: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  'journeys-durable.test.ts': { 'Stop in the second tab': 'Stop in one tab shows as stopped in both within 1.5 s' },
  'journeys-hostile-replies.test.ts': { 'a chat holding replies that stalled': 'measures the scroll frame rate (over 40 fps)' },
};

/** Whether the test named `testName` in the file at `path` runs with the machine to itself. */
export function runsAlone(path: string, testName: string): boolean {
  const tests = RUNS_ALONE[path.split('/').pop() ?? ''] ?? {};
  return Object.keys(tests).some((start) => testName.startsWith(start));
}
