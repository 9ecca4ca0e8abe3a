import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildApp, ROOT } from './app-server';
import { PLANTED_SECRETS } from './planted-secrets';

/**
 * What the browser suite's app is built and started with, besides each app's providers and data
 * directory (tests/e2e/global-setup.ts, and `npm run test:browser:build` for CI, which builds
 * ahead beside other work).
 */
const PLANTED_APP_ENV: Readonly<Record<string, string>> = {
  ...PLANTED_SECRETS,
  // The service-role key belongs with a Supabase project; the store is still forced to the
  // embedded one, so the variables are present for the build without a project to reach.
  NEXT_PUBLIC_SUPABASE_URL: 'http://127.0.0.1:9',
  NEXT_PUBLIC_SUPABASE_ANON_KEY: 'anon-public-e2e',
  AI_CHAT_STORE: 'embedded',
  // The fake stands in for api.openai.com, so the app speaks the API it would use there.
  OPENAI_API: 'responses',
  AI_CHAT_OPENAI_MODELS: 'gpt-5-mini,gpt-4.1-mini',
  AI_CHAT_ANTHROPIC_MODELS: 'claude-sonnet-5-5,claude-haiku-5-5',
  AI_CHAT_MAX_TOKENS_PER_DAY: '1000000',
  // Titles written by a model make a second provider call per new chat: on in their own app only,
  // so the other journeys' scripted replies and request counts stay theirs.
  AI_CHAT_TITLES: 'off',
  NEXT_TELEMETRY_DISABLED: '1',
};

/** The planted environment over this process's, as production (vitest sets NODE_ENV=test). */
export function appEnvironment(overrides: Record<string, string>): NodeJS.ProcessEnv {
  // Not DATABASE_URL: the app would take it for its own store (the suites' database is TEST_DATABASE_URL).
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter((entry): entry is [string, string] => entry[1] !== undefined && entry[0] !== 'DATABASE_URL'),
  );
  return { ...inherited, ...PLANTED_APP_ENV, ...overrides, NODE_ENV: 'production' };
}

/** Where the build points the providers: nowhere (it calls none); each app gets its lane's fakes. */
const BUILD_PROVIDERS = { OPENAI_BASE_URL: 'http://127.0.0.1:9', ANTHROPIC_BASE_URL: 'http://127.0.0.1:9' };

/**
 * The planted variables a build of .next ran with, written beside it by the build itself: the
 * secrets journey checks them, so a build reused with E2E_REUSE_BUILD=1 (CI builds ahead) must be
 * one that saw the planted keys. Outside .next/static, which is all `next start` serves of it.
 */
const BUILD_ENV_FILE = join(ROOT, '.next', 'ai-chat-e2e-build-env.json');

/** `next build` with the planted environment, recording it beside the build. */
export async function buildWithPlantedEnv(dataDir: string): Promise<void> {
  await buildApp(appEnvironment({ ...BUILD_PROVIDERS, AI_CHAT_DATA_DIR: dataDir }));
  writeFileSync(BUILD_ENV_FILE, JSON.stringify(PLANTED_APP_ENV, null, 2));
}

/** The planted variables .next was built with, or undefined when no build of ours is there. */
export function plantedEnvOfBuild(): Record<string, string> | undefined {
  if (!existsSync(join(ROOT, '.next', 'BUILD_ID')) || !existsSync(BUILD_ENV_FILE)) return undefined;
  return JSON.parse(readFileSync(BUILD_ENV_FILE, 'utf8')) as Record<string, string>;
}
