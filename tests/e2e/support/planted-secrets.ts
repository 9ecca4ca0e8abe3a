/**
 * Fake secrets planted in the environment of the e2e build. They look like real keys, so a
 * regression that inlines a server variable into the client bundle puts them in `.next/static`.
 */
export const PLANTED_SECRETS = {
  OPENAI_API_KEY: 'sk-e2e-PLANTED-openai-3c1f9a',
  ANTHROPIC_API_KEY: 'sk-ant-e2e-PLANTED-7d2b44',
  SUPABASE_SERVICE_ROLE_KEY: 'service-role-PLANTED-91ae0c',
} as const;

/** Substrings any planted value contains: a partial or re-encoded leak still shows one of them. */
export const PLANTED_MARKERS = ['sk-e2e-PLANTED', 'service-role-PLANTED'] as const;
