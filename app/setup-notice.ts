import 'server-only';
import { getChatEnv } from '@/features/ai-chat/server';

/**
 * What the person running the app must still configure, in words they can act on. Shown only by
 * a development server: there the reader is the developer. A production server says nothing of
 * its variables to its users (the server log names them at start).
 */
export function providerSetupNotice(): string | null {
  const env = getChatEnv();
  if (env.OPENAI_API_KEY?.length || env.ANTHROPIC_API_KEY?.length) return null;
  if (env.demo) {
    return 'Offline demo: replies are canned, written on this machine, not by an AI. To chat with a real model, set OPENAI_API_KEY or ANTHROPIC_API_KEY in .env.local (see .env.example) and restart the server.';
  }
  if (env.NODE_ENV === 'development') {
    return 'No model provider is configured. Set OPENAI_API_KEY or ANTHROPIC_API_KEY in .env.local (see .env.example) and restart the server.';
  }
  return null;
}

export function usesSupabase(): boolean {
  return getChatEnv().store === 'supabase';
}
