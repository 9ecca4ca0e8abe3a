import { afterAll, afterEach, beforeAll, beforeEach, expect, inject } from 'vitest';
import { waitForLane } from './lane-gate';
import { laneIndex, runsAlone } from './lanes';
import { holdMachine, type Hold } from './machine-lock';

// Every browser test file waits until its lane's apps are up, then holds the machine lock: shared
// from its start (its own hooks open the browser and seed data) and for each test, exclusive for a
// test with a time bound (RUNS_ALONE), which first waits for every lane to be up: a lane still
// starting (four `next start`, each preparing its database) would share the machine with it.
// Between tests the file holds nothing, so a test waiting to run alone waits out the other lane's
// current test, not its whole file. Registered before the file's own hooks.
let held: { hold: Hold; release: () => void } | undefined;

async function holdAs(hold: Hold): Promise<void> {
  if (held?.hold === hold) return;
  held?.release();
  held = undefined;
  const lockUrl = inject('machineLockUrl');
  if (lockUrl) held = { hold, release: await holdMachine(lockUrl, hold) };
}

function letGo(): void {
  held?.release();
  held = undefined;
}

beforeAll(async () => {
  await waitForLane(inject('laneGateUrl'), laneIndex(inject('lanes').length));
  await holdAs('shared');
  // Long enough to wait out a lane's start.
}, 300_000);

beforeEach(async ({ task }) => {
  if (runsAlone(expect.getState().testPath ?? '', task.name)) {
    const lanes = inject('lanes').length;
    letGo(); // the exclusive hold waits for every shared one, this file's own too
    await Promise.all(Array.from({ length: lanes }, (_, index) => waitForLane(inject('laneGateUrl'), index)));
    await holdAs('exclusive');
  } else await holdAs('shared');
  // Long enough to wait out the other lane's start and its longest test.
}, 300_000);

afterEach(letGo);
afterAll(letGo);
