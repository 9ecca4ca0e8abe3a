import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs script without types, run by `npm start`.
import { storeForStart } from '../../scripts/start-store.mjs';

describe('npm start picks its store', () => {
  it('with no database configured, runs the embedded store and says so', () => {
    const { add, notice } = storeForStart({ NODE_ENV: 'production' });
    expect(add).toEqual({ AI_CHAT_STORE: 'embedded' });
    expect(notice).toMatch(/embedded single-user store \(AI_CHAT_STORE=embedded\) on 127\.0\.0\.1/);
  });

  it('leaves a configured database alone: a missing variable never turns a deployment local without saying so', () => {
    for (const env of [
      { DATABASE_URL: 'postgres://x' },
      { AI_CHAT_STORE: 'postgres' },
      { NEXT_PUBLIC_SUPABASE_URL: 'https://p.supabase.co', NEXT_PUBLIC_SUPABASE_ANON_KEY: 'anon' },
    ]) {
      expect(storeForStart(env)).toEqual({ add: {}, notice: null });
    }
  });
});
