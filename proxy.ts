import { createServerClient } from '@supabase/ssr';
import { NextResponse, type NextRequest } from 'next/server';

/**
 * Keeps the Supabase session fresh: reads the auth cookies, lets @supabase/ssr refresh an expired
 * access token, and writes the new cookies to both the request (for this render) and the response.
 * Without a Supabase project (the embedded store) it does nothing.
 */
export async function proxy(request: NextRequest) {
  const url = process.env.NEXT_PUBLIC_SUPABASE_URL;
  const anonKey = process.env.NEXT_PUBLIC_SUPABASE_ANON_KEY;
  if (!url || !anonKey || process.env.AI_CHAT_STORE === 'embedded') return NextResponse.next();

  let response = NextResponse.next({ request });
  const supabase = createServerClient(url, anonKey, {
    cookies: {
      getAll: () => request.cookies.getAll(),
      setAll(list) {
        list.forEach(({ name, value }) => request.cookies.set(name, value));
        response = NextResponse.next({ request });
        list.forEach(({ name, value, options }) => response.cookies.set(name, value, options));
      },
    },
  });
  await supabase.auth.getUser();
  return response;
}

export const config = {
  // Pages and the API, not static assets, and not the upload route (POST /api/chat/attachments):
  // for any request a proxy runs on, Next reads the body into a copy capped at
  // proxyClientMaxBodySize (10 MB by default), so a 32 MB PDF reaches the route cut short, and a
  // body of any size is read to its end before the route can refuse it. Off the proxy, the route
  // reads the body itself and stops at the upload limit (server/files/attachment-routes.ts). Raising the
  // cap instead would still buffer every upload whole, and hostile ones to their end. The route
  // authenticates on its own; the session is refreshed by the page and API calls around it.
  matcher: ['/((?!_next/static|_next/image|favicon.ico|api/chat/attachments$|.*\\.(?:svg|png|jpg|jpeg|gif|webp|ico)$).*)'],
};
