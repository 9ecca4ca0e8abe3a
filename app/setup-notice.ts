import 'server-only';
import { getChatEnv } from '@/features/ai-chat/server';

/** What the person running the app must still configure, in words they can act on. */
export function providerSetupNotice(): string | null {
  const env = getChatEnv();
  if (env.OPENAI_API_KEY?.length || env.ANTHROPIC_API_KEY?.length) return null;
  return 'No model provider is configured. Set OPENAI_API_KEY or ANTHROPIC_API_KEY in .env.local (see .env.example) and restart the server.';
}

export function usesSupabase(): boolean {
  return getChatEnv().store === 'supabase';
}
