// Which store `npm start` runs the demo app with, decided from the environment (the .env files
// included) before `next start`: plain JavaScript, so it runs where only the production
// dependencies are installed.

/**
 * The variables to add for `next start`, and what to tell the person starting it. A database the
 * environment names (AI_CHAT_STORE, DATABASE_URL, a Supabase project) is left alone; with none,
 * the embedded single-user store is chosen out loud, so `npm run build && npm start` works in one
 * command. The app then answers on loopback only, as in development.
 */
export function storeForStart(env) {
  const supabase = Boolean(env.NEXT_PUBLIC_SUPABASE_URL && env.NEXT_PUBLIC_SUPABASE_ANON_KEY);
  if (env.AI_CHAT_STORE || env.DATABASE_URL || supabase) return { add: {}, notice: null };
  return {
    add: { AI_CHAT_STORE: 'embedded' },
    notice:
      'ai-chat: no database is configured, so this start uses the embedded single-user store (AI_CHAT_STORE=embedded) on 127.0.0.1. ' +
      'Set DATABASE_URL or a Supabase project before serving more than one person (docs/stores.md).',
  };
}
