import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { appEnvironment, buildWithPlantedEnv, plantedEnvOfBuild } from './support/app-env';
import { startApp } from './support/app-server';
import { startLaneGate } from './support/lane-gate';
import { E2E_LANES, type Lane } from './support/lanes';
import { startMachineLock } from './support/machine-lock';
import { startFakeProviders } from './support/provider-control';
import { startTestMcpServer } from '../support/mcp-server';

declare module 'vitest' {
  export interface ProvidedContext {
    /** One set of apps and fakes per lane (tests/e2e/support/lanes.ts); a file takes its worker's. */
    lanes: Lane[];
    /** Where a file waits until its lane's apps are up (tests/e2e/support/lane-gate.ts). */
    laneGateUrl: string;
    /** The machine lock the files hold while they run ('' with one lane: nothing to share). */
    machineLockUrl: string;
    /** The planted environment `next build` ran with, for the secrets test to check it held the keys. */
    buildEnv: Record<string, string>;
  }
}

/** The daily token limit of the `limitedBaseUrl` app. */
export const LIMITED_TOKENS_PER_DAY = 10_000;

/**
 * Builds the app once with fake secrets planted in its environment (unless E2E_REUSE_BUILD=1 and
 * .next holds a build: CI builds ahead with `npm run test:browser:build`), then starts each lane's
 * apps from that build against the lane's loopback fake providers, MCP server and fresh embedded
 * databases: one lane after the other, each file waiting until its lane is up
 * (tests/e2e/support/lane-gate.ts). Everything is torn down after the run.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dataDirs: string[] = [];
  const closers: (() => Promise<void>)[] = [];
  const starting: Promise<unknown>[] = [];
  const stopAll = async () => {
    await Promise.allSettled(starting);
    await Promise.all(closers.splice(0).map((close) => close()));
    await Promise.all(dataDirs.map((dir) => rm(dir, { recursive: true, force: true })));
  };
  const dataDir = async (name: string) => {
    const dir = await mkdtemp(join(tmpdir(), `ai-chat-e2e-${name}-`));
    dataDirs.push(dir);
    return dir;
  };
  try {
    const started = performance.now();
    // E2E_REUSE_BUILD=1 skips the build when .next holds one made with the planted environment
    // (CI's `npm run test:browser:build`, or this setup on an earlier run).
    let buildEnv = process.env.E2E_REUSE_BUILD === '1' ? plantedEnvOfBuild() : undefined;
    if (!buildEnv) {
      if (process.env.E2E_REUSE_BUILD === '1') console.log('[e2e setup] .next holds no build made with the planted environment: building');
      // The build has a data directory of its own, in case a page it renders opens the store.
      await buildWithPlantedEnv(await dataDir('build'));
      buildEnv = plantedEnvOfBuild()!;
    }
    const built = performance.now();

    const lock = E2E_LANES > 1 ? await startMachineLock() : undefined;
    if (lock) closers.push(lock.close);
    // Held until each app starts: the proofs CI runs beside the suite pick free ports too.
    const ports = await holdFreePorts(4 * E2E_LANES);
    closers.push(ports.releaseAll);
    const lanes: Lane[] = [];
    const ready: Promise<unknown>[] = [];
    for (let index = 0; index < E2E_LANES; index += 1) {
      const [providers, mcp] = await Promise.all([startFakeProviders(), startTestMcpServer()]);
      closers.push(providers.close, mcp.close);
      const appPorts = ports.numbers.splice(0, 4) as [number, number, number, number];
      const url = (port: number) => `http://127.0.0.1:${port}`;
      lanes.push({
        baseUrl: url(appPorts[0]),
        limitedBaseUrl: url(appPorts[1]),
        toolsBaseUrl: url(appPorts[2]),
        titledBaseUrl: url(appPorts[3]),
        providerControlUrl: providers.controlUrl,
      });
      // Same build, read at run time: the providers, the data directory, the limit, titles and
      // MCP servers are server-only variables.
      const laneEnv = { OPENAI_BASE_URL: providers.openaiUrl, ANTHROPIC_BASE_URL: providers.anthropicUrl };
      const mcpServers = [{ name: 'mail', url: mcp.url, allowPrivateNetwork: true, tools: { allow: ['send_email', 'lookup'] } }];
      const start = async (port: number, name: string, variables: Record<string, string> = {}) => {
        const env = appEnvironment({ ...laneEnv, AI_CHAT_DATA_DIR: await dataDir(name), ...variables });
        const app = await startApp(env, await ports.take(port));
        closers.push(app.stop);
      };
      // Every start settles before a failure is reported, so teardown stops each app that came up.
      const startLane = async () => {
        const outcomes = await Promise.allSettled([
          start(appPorts[0], 'app'),
          start(appPorts[1], 'limited', { AI_CHAT_MAX_TOKENS_PER_DAY: String(LIMITED_TOKENS_PER_DAY) }),
          start(appPorts[2], 'tools', { AI_CHAT_MCP_SERVERS: JSON.stringify(mcpServers) }),
          start(appPorts[3], 'titled', { AI_CHAT_TITLES: 'on' }),
        ]);
        const failed = outcomes.find((outcome) => outcome.status === 'rejected');
        if (failed) throw failed.reason;
      };
      // One lane after the other, so the first comes up as fast as it can; none after one that
      // failed. The files that run alone come first in the order and wait for every lane.
      const previous = ready.at(-1);
      const up = previous ? previous.then(startLane) : startLane();
      // Handled here too: a later lane may fail before the gate below is listening for it.
      up.catch(() => undefined);
      starting.push(up);
      ready.push(up);
    }
    // The first lane before any file runs: a failure there fails the setup, with its reason.
    await ready[0];
    const firstLane = performance.now();
    const gate = await startLaneGate(ready);
    closers.push(gate.close);
    console.log(
      `[e2e setup] next build ${seconds(built - started)}; the first lane's 4 × next start ${seconds(firstLane - built)} (${E2E_LANES} lane(s))`,
    );
    project.provide('lanes', lanes);
    project.provide('laneGateUrl', gate.url);
    project.provide('machineLockUrl', lock?.url ?? '');
    project.provide('buildEnv', buildEnv);
    return stopAll;
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/** Free loopback ports, each held by a listening placeholder until `take` hands it to its app. */
async function holdFreePorts(count: number) {
  const held = new Map<number, Server>();
  while (held.size < count) {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', resolve);
    });
    held.set((server.address() as AddressInfo).port, server);
  }
  const release = (port: number) =>
    new Promise<void>((resolve) => {
      const server = held.get(port);
      held.delete(port);
      if (server) server.close(() => resolve());
      else resolve();
    });
  return {
    numbers: [...held.keys()],
    take: async (port: number) => (await release(port), port),
    releaseAll: async () => void (await Promise.all([...held.keys()].map(release))),
  };
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
