import { afterAll, beforeAll, expect, inject } from 'vitest';
import { waitForLane } from './lane-gate';
import { laneIndex, runsAlone } from './lanes';
import { holdMachine } from './machine-lock';

// Every browser test file waits until its lane's apps are up (every lane's, if it runs alone),
// then holds the machine lock while it runs: shared, or exclusive for the files with a time bound (RUNS_ALONE). Registered before
// the file's own hooks, so it is taken before the file opens a browser and released after the
// file has closed it.
let release: (() => void) | undefined;

beforeAll(async () => {
  const lanes = inject('lanes').length;
  const alone = runsAlone(expect.getState().testPath ?? '');
  // A file that runs alone waits for every lane: a lane still starting (four `next start`, each
  // preparing its database) would share the machine with it.
  const waitFor = alone ? Array.from({ length: lanes }, (_, index) => index) : [laneIndex(lanes)];
  await Promise.all(waitFor.map((index) => waitForLane(inject('laneGateUrl'), index)));
  const lockUrl = inject('machineLockUrl');
  if (lockUrl) release = await holdMachine(lockUrl, alone ? 'exclusive' : 'shared');
  // Long enough to wait out a lane's start and the longest file of the other lane.
}, 300_000);

afterAll(() => release?.());
