import { describe, expect, it } from 'vitest';
import { parseChatEnv } from '@/features/ai-chat/config/env';

function failureOf(source: Record<string, string>): { code: string; message: string } {
  try {
    parseChatEnv(source);
  } catch (error) {
    return error as { code: string; message: string };
  }
  throw new Error('expected the environment to be refused');
}

describe('environment validation', () => {
  it('starts with nothing set: embedded store, OpenAI by default', () => {
    const env = parseChatEnv({});
    expect(env).toMatchObject({ store: 'embedded', dataDir: '.data/ai-chat', defaultProvider: 'openai' });
  });

  it.each([
    ['DEFAULT_AI_PROVIDER', { DEFAULT_AI_PROVIDER: 'gemini' }],
    ['AI_CHAT_STORE', { AI_CHAT_STORE: 'mysql' }],
    ['OPENAI_BASE_URL', { OPENAI_BASE_URL: 'not a url' }],
    ['ANTHROPIC_BASE_URL', { ANTHROPIC_BASE_URL: 'ftp://example.com' }],
    ['NEXT_PUBLIC_SUPABASE_URL', { NEXT_PUBLIC_SUPABASE_URL: 'supabase' }],
    ['AI_CHAT_MAX_TOKENS_PER_DAY', { AI_CHAT_MAX_TOKENS_PER_DAY: '-5' }],
    ['AI_CHAT_MAX_COST_PER_MONTH', { AI_CHAT_MAX_COST_PER_MONTH: 'lots' }],
  ])('a bad %s is refused with a message that names it', (variable, source) => {
    const error = failureOf(source);
    expect(error.code).toBe('not_configured');
    expect(error.message).toContain(variable);
  });

  it('never echoes a secret value in its message', () => {
    const error = failureOf({ OPENAI_API_KEY: 'sk-secret-123', OPENAI_BASE_URL: 'nope' });
    expect(error.message).not.toContain('sk-secret-123');
  });

  it('splits comma-separated API keys for rotation and treats empty values as unset', () => {
    const env = parseChatEnv({ OPENAI_API_KEY: 'sk-a, sk-b,', ANTHROPIC_API_KEY: '', DEFAULT_AI_PROVIDER: '' });
    expect(env.OPENAI_API_KEY).toEqual(['sk-a', 'sk-b']);
    expect(env.ANTHROPIC_API_KEY).toBeUndefined();
    expect(env.defaultProvider).toBe('openai');
  });

  it('chooses Supabase when a project is configured, and requires the service key there', () => {
    const project = { NEXT_PUBLIC_SUPABASE_URL: 'https://abc.supabase.co', NEXT_PUBLIC_SUPABASE_ANON_KEY: 'anon' };
    expect(failureOf(project).message).toContain('SUPABASE_SERVICE_ROLE_KEY');
    expect(parseChatEnv({ ...project, SUPABASE_SERVICE_ROLE_KEY: 'service' }).store).toBe('supabase');
    expect(failureOf({ AI_CHAT_STORE: 'supabase' }).message).toContain('NEXT_PUBLIC_SUPABASE_URL');
  });

  it('chooses the Postgres store when DATABASE_URL is set, unless a Supabase project is configured', () => {
    const url = 'postgresql://chat:secret-pw@db.example.com:5432/chat';
    expect(parseChatEnv({ DATABASE_URL: url })).toMatchObject({ store: 'postgres', DATABASE_URL: url });
    expect(parseChatEnv({ NODE_ENV: 'production', DATABASE_URL: url, AI_CHAT_AUTH: 'local-user', AI_CHAT_DATABASE_MIGRATE: '1' })).toMatchObject({
      store: 'postgres',
      AI_CHAT_AUTH: 'local-user',
      AI_CHAT_DATABASE_MIGRATE: true,
    });
    // Apps on Supabase often set DATABASE_URL for an ORM: their chat stays on Supabase.
    const project = { NEXT_PUBLIC_SUPABASE_URL: 'https://abc.supabase.co', NEXT_PUBLIC_SUPABASE_ANON_KEY: 'anon', SUPABASE_SERVICE_ROLE_KEY: 'service' };
    expect(parseChatEnv({ ...project, DATABASE_URL: url }).store).toBe('supabase');
    expect(parseChatEnv({ ...project, DATABASE_URL: url, AI_CHAT_STORE: 'postgres' }).store).toBe('postgres');
    expect(failureOf({ AI_CHAT_STORE: 'postgres' }).message).toContain('DATABASE_URL');
    const bad = failureOf({ DATABASE_URL: 'mysql://chat:secret-pw@db' });
    expect(bad.message).toContain('DATABASE_URL');
    expect(bad.message).not.toContain('secret-pw');
    expect(failureOf({ DATABASE_URL: url, AI_CHAT_AUTH: 'anyone' }).message).toContain('AI_CHAT_AUTH');
  });

  it('in production, starts the embedded store only when chosen explicitly', () => {
    const error = failureOf({ NODE_ENV: 'production' });
    expect(error.message).toContain('AI_CHAT_STORE=embedded');
    expect(parseChatEnv({ NODE_ENV: 'production', AI_CHAT_STORE: 'embedded' }).store).toBe('embedded');
  });
});

describe('optional controls', () => {
  it('accepts the moderation, cache and summary switches, and names a bad one', () => {
    const env = parseChatEnv({ AI_CHAT_MODERATION: 'openai', OPENAI_API_KEY: 'sk-x', AI_CHAT_RESPONSE_CACHE_SECONDS: '3600', AI_CHAT_SUMMARY: 'on' });
    expect(env).toMatchObject({ AI_CHAT_MODERATION: 'openai', AI_CHAT_RESPONSE_CACHE_SECONDS: 3600, AI_CHAT_SUMMARY: 'on' });
    expect(failureOf({ AI_CHAT_MODERATION: 'openai' }).message).toContain('OPENAI_API_KEY');
    expect(failureOf({ AI_CHAT_SUMMARY: 'yes' }).message).toContain('AI_CHAT_SUMMARY');
    expect(failureOf({ AI_CHAT_OPENAI_MODELS: ' , ' }).message).toContain('AI_CHAT_OPENAI_MODELS');
  });
});
