import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { buildApp, freePort, startApp } from './support/app-server';
import { PLANTED_SECRETS } from './support/planted-secrets';
import { startFakeProviders } from './support/provider-control';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The app under test, e.g. http://127.0.0.1:41234 */
    baseUrl: string;
    /** The fake providers' control endpoint (see providerControl). */
    providerControlUrl: string;
    /** The environment `next build` ran with, for the secrets test to check it held the planted keys. */
    buildEnv: Record<string, string>;
  }
}

/**
 * Builds the app once with fake secrets planted in its environment, starts it against loopback
 * fake providers and a fresh embedded database, and tears it all down after the run.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const providers = await startFakeProviders();
  const dataDir = await mkdtemp(join(tmpdir(), 'ai-chat-e2e-'));

  const appEnv: Record<string, string> = {
    ...PLANTED_SECRETS,
    // The service-role key belongs with a Supabase project; the store is still forced to the
    // embedded one, so the variables are present for the build without a project to reach.
    NEXT_PUBLIC_SUPABASE_URL: 'http://127.0.0.1:9',
    NEXT_PUBLIC_SUPABASE_ANON_KEY: 'anon-public-e2e',
    AI_CHAT_STORE: 'embedded',
    AI_CHAT_DATA_DIR: dataDir,
    OPENAI_BASE_URL: providers.openaiUrl,
    ANTHROPIC_BASE_URL: providers.anthropicUrl,
    AI_CHAT_OPENAI_MODELS: 'gpt-5-mini,gpt-4.1-mini',
    AI_CHAT_ANTHROPIC_MODELS: 'claude-sonnet-5-5,claude-haiku-5-5',
    AI_CHAT_MAX_TOKENS_PER_DAY: '1000000',
    NEXT_TELEMETRY_DISABLED: '1',
  };
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
  // Vitest sets NODE_ENV=test; next build and start need production.
  const env: NodeJS.ProcessEnv = { ...inherited, ...appEnv, NODE_ENV: 'production' };

  try {
    await buildApp(env);
    const app = await startApp(env, await freePort());
    project.provide('baseUrl', app.url);
    project.provide('providerControlUrl', providers.controlUrl);
    project.provide('buildEnv', Object.fromEntries(Object.keys(appEnv).map((name) => [name, env[name] ?? ''])));
    return async () => {
      await app.stop();
      await providers.close();
      await rm(dataDir, { recursive: true, force: true });
    };
  } catch (error) {
    await providers.close();
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
}
