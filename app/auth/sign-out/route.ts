import { createServerClient } from '@supabase/ssr';
import { cookies } from 'next/headers';
import { NextResponse } from 'next/server';
import { getDefaultChatHandler } from '@/features/ai-chat/api/chat-handler';
import { assertAllowedCaller, errorResponse } from '@/features/ai-chat/server';

export async function POST(request: Request) {
  // The sign-out form posts from the app's own page; another site must not sign the user out.
  try {
    assertAllowedCaller(request, getDefaultChatHandler().options.requestGuard);
  } catch (error) {
    return errorResponse(error);
  }
  const url = process.env.NEXT_PUBLIC_SUPABASE_URL;
  const anonKey = process.env.NEXT_PUBLIC_SUPABASE_ANON_KEY;
  if (url && anonKey) {
    const cookieStore = await cookies();
    const supabase = createServerClient(url, anonKey, {
      cookies: {
        getAll: () => cookieStore.getAll(),
        setAll: (list) => list.forEach(({ name, value, options }) => cookieStore.set(name, value, options)),
      },
    });
    await supabase.auth.signOut();
  }
  return NextResponse.redirect(new URL('/', request.url), { status: 303 });
}
