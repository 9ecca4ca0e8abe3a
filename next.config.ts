import type { NextConfig } from 'next';

const nextConfig: NextConfig = {
  // PGlite loads its Postgres WASM and data files from its own package folder at run time, so
  // it must stay a plain Node require instead of being bundled (the embedded store needs this).
  serverExternalPackages: ['@electric-sql/pglite'],
};

export default nextConfig;
