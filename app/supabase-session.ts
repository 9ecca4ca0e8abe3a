import 'server-only';
import { createServerClient } from '@supabase/ssr';
import { cookies } from 'next/headers';
import { getChatEnv } from '@/features/ai-chat/server';

/** The signed-in Supabase user of this request, or null (always null on the embedded store). */
export async function currentSupabaseUser(): Promise<{ id: string; email?: string } | null> {
  const env = getChatEnv();
  if (env.store !== 'supabase') return null;
  const cookieStore = await cookies();
  const supabase = createServerClient(env.NEXT_PUBLIC_SUPABASE_URL!, env.NEXT_PUBLIC_SUPABASE_ANON_KEY!, {
    cookies: { getAll: () => cookieStore.getAll() },
  });
  const { data } = await supabase.auth.getUser();
  return data.user ? { id: data.user.id, email: data.user.email } : null;
}
