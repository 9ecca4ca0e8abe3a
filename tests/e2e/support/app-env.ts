import { PLANTED_SECRETS } from './planted-secrets';

/**
 * What the browser suite's app is built and started with, besides each app's providers and data
 * directory (tests/e2e/global-setup.ts, and `npm run test:browser:build` for CI, which builds
 * ahead beside other work).
 */
export const PLANTED_APP_ENV: Readonly<Record<string, string>> = {
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
export const BUILD_PROVIDERS = { OPENAI_BASE_URL: 'http://127.0.0.1:9', ANTHROPIC_BASE_URL: 'http://127.0.0.1:9' };
