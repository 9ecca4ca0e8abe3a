import type { NextConfig } from 'next';

// Supabase, when configured, is where the sign-in form talks to and where an attachment's signed
// URL redirects an <img> to: the page's policy must let both through.
const supabase = (() => {
  try {
    return process.env.NEXT_PUBLIC_SUPABASE_URL ? new URL(process.env.NEXT_PUBLIC_SUPABASE_URL).origin : '';
  } catch {
    return '';
  }
})();
const supabaseSocket = supabase.replace(/^http/, 'ws');

/**
 * The pages' Content-Security-Policy. Scripts only from this origin, plus Next's inline bootstrap
 * scripts ('unsafe-inline': a stricter nonce policy needs a proxy that makes every page dynamic);
 * no eval outside `next dev` (React's dev tools use it); no plugins, no <base>, forms post only here;
 * framed by this origin only (clickjacking). Images from blob: (upload previews) and data:.
 */
const PAGE_CSP = [
  "default-src 'self'",
  `script-src 'self' 'unsafe-inline'${process.env.NODE_ENV === 'production' ? '' : " 'unsafe-eval'"}`,
  "style-src 'self' 'unsafe-inline'",
  `img-src 'self' blob: data: ${supabase}`,
  "font-src 'self' data:",
  `connect-src 'self' ${supabase} ${supabaseSocket}`,
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'self'",
]
  .map((directive) => directive.trim())
  .join('; ');

const nextConfig: NextConfig = {
  // Both for CI, which builds the browser suite's app once from a clean clone (.ci/run): a cold
  // build that also writes Turbopack's cache for a next build took 108 s against 93 s without;
  // and CI has type-checked this whole project (`npm run typecheck`) just before, so that build
  // need not check it again. Every other build keeps the cache and the check.
  experimental: { turbopackFileSystemCacheForBuild: process.env.AI_CHAT_BUILD_CACHE !== 'off' },
  typescript: { ignoreBuildErrors: process.env.AI_CHAT_BUILD_TYPECHECK === 'off' },
  // PGlite loads its Postgres WASM and data files from its own package folder at run time, so
  // it must stay a plain Node require instead of being bundled (the embedded store needs this).
  serverExternalPackages: ['@electric-sql/pglite'],
  // No `X-Powered-By: Next.js`: nothing to tell a scanner which exploits to try.
  poweredByHeader: false,
  async headers() {
    return [
      {
        // Pages and their assets; the API's responses carry their own, stricter headers (server/http/http.ts).
        source: '/((?!api/).*)',
        headers: [
          { key: 'Content-Security-Policy', value: PAGE_CSP },
          { key: 'X-Frame-Options', value: 'SAMEORIGIN' },
          { key: 'X-Content-Type-Options', value: 'nosniff' },
        ],
      },
    ];
  },
};

export default nextConfig;
