import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { buildApp, freePort, ROOT, startApp, type RunningApp } from './support/app-server';
import { PLANTED_SECRETS } from './support/planted-secrets';
import { startFakeProviders } from './support/provider-control';
import { startTestMcpServer } from '../support/mcp-server';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The app under test, e.g. http://127.0.0.1:41234 */
    baseUrl: string;
    /** The fake providers' control endpoint (see providerControl). */
    providerControlUrl: string;
    /** The environment `next build` ran with, for the secrets test to check it held the planted keys. */
    buildEnv: Record<string, string>;
    /**
     * A second `next start` of the same build with its own database and a tight daily token
     * limit (LIMITED_TOKENS_PER_DAY), for the journeys that run into a usage limit.
     */
    limitedBaseUrl: string;
    /** A third `next start` of the build with a real MCP server's tools (AI_CHAT_MCP_SERVERS), for the tool journeys. */
    toolsBaseUrl: string;
  }
}

/** The daily token limit of the `limitedBaseUrl` app. */
export const LIMITED_TOKENS_PER_DAY = 10_000;

/**
 * Builds the app once with fake secrets planted in its environment, starts it against loopback
 * fake providers and a fresh embedded database, and tears it all down after the run.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const providers = await startFakeProviders();
  const dataDir = await mkdtemp(join(tmpdir(), 'ai-chat-e2e-'));
  const limitedDataDir = await mkdtemp(join(tmpdir(), 'ai-chat-e2e-limited-'));
  const toolsDataDir = await mkdtemp(join(tmpdir(), 'ai-chat-e2e-tools-'));
  const mcp = await startTestMcpServer();
  const removeData = () =>
    Promise.all([dataDir, limitedDataDir, toolsDataDir].map((dir) => rm(dir, { recursive: true, force: true })));

  const appEnv: Record<string, string> = {
    ...PLANTED_SECRETS,
    // The service-role key belongs with a Supabase project; the store is still forced to the
    // embedded one, so the variables are present for the build without a project to reach.
    NEXT_PUBLIC_SUPABASE_URL: 'http://127.0.0.1:9',
    NEXT_PUBLIC_SUPABASE_ANON_KEY: 'anon-public-e2e',
    AI_CHAT_STORE: 'embedded',
    AI_CHAT_DATA_DIR: dataDir,
    OPENAI_BASE_URL: providers.openaiUrl,
    // The fake stands in for api.openai.com, so the app speaks the API it would use there.
    OPENAI_API: 'responses',
    ANTHROPIC_BASE_URL: providers.anthropicUrl,
    AI_CHAT_OPENAI_MODELS: 'gpt-5-mini,gpt-4.1-mini',
    AI_CHAT_ANTHROPIC_MODELS: 'claude-sonnet-5-5,claude-haiku-5-5',
    AI_CHAT_MAX_TOKENS_PER_DAY: '1000000',
    NEXT_TELEMETRY_DISABLED: '1',
  };
  // Not DATABASE_URL: the app would take it for its own store (the suites' database is TEST_DATABASE_URL).
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(
      (entry): entry is [string, string] => entry[1] !== undefined && entry[0] !== 'DATABASE_URL',
    ),
  );
  // Vitest sets NODE_ENV=test; next build and start need production.
  const env: NodeJS.ProcessEnv = { ...inherited, ...appEnv, NODE_ENV: 'production' };

  const apps: RunningApp[] = [];
  const stopAll = async () => {
    await Promise.all(apps.map((app) => app.stop()));
    await providers.close();
    await mcp.close();
    await removeData();
  };
  try {
    // E2E_REUSE_BUILD=1 skips the build when .next holds one (iterating on the tests only; the
    // build must have been made by this setup, with the same planted environment).
    if (!(process.env.E2E_REUSE_BUILD === '1' && existsSync(join(ROOT, '.next', 'BUILD_ID')))) await buildApp(env);
    const port = await freePort();
    let limitedPort = await freePort();
    while (limitedPort === port) limitedPort = await freePort();
    const started = (running: RunningApp) => (apps.push(running), running);
    let toolsPort = await freePort();
    while (toolsPort === port || toolsPort === limitedPort) toolsPort = await freePort();
    const mcpServers = [{ name: 'mail', url: mcp.url, allowPrivateNetwork: true, tools: { allow: ['send_email', 'lookup'] } }];
    const [app, limited, tools] = await Promise.all([
      startApp(env, port).then(started),
      // Same build, read at run time: the limit and the data directory are server-only variables.
      startApp(
        { ...env, AI_CHAT_DATA_DIR: limitedDataDir, AI_CHAT_MAX_TOKENS_PER_DAY: String(LIMITED_TOKENS_PER_DAY) },
        limitedPort,
      ).then(started),
      startApp({ ...env, AI_CHAT_DATA_DIR: toolsDataDir, AI_CHAT_MCP_SERVERS: JSON.stringify(mcpServers) }, toolsPort).then(started),
    ]);
    project.provide('toolsBaseUrl', tools.url);
    project.provide('baseUrl', app.url);
    project.provide('limitedBaseUrl', limited.url);
    project.provide('providerControlUrl', providers.controlUrl);
    project.provide('buildEnv', Object.fromEntries(Object.keys(appEnv).map((name) => [name, env[name] ?? ''])));
    return stopAll;
  } catch (error) {
    await stopAll();
    throw error;
  }
}
