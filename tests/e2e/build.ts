import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildWithPlantedEnv } from './support/app-env';

// `npm run test:browser:build`: the browser suite's `next build`, on its own, with the planted
// environment its global setup uses. CI runs it beside the drop-in proofs, then the suite with
// E2E_REUSE_BUILD=1 (and the load runs with AI_CHAT_PREBUILT=1) on what it built.
const dataDir = await mkdtemp(join(tmpdir(), 'ai-chat-e2e-build-'));
try {
  const started = performance.now();
  await buildWithPlantedEnv(dataDir);
  console.log(`next build (planted environment) in ${((performance.now() - started) / 1000).toFixed(1)} s`);
} finally {
  await rm(dataDir, { recursive: true, force: true });
}
