import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import tailwind from '@tailwindcss/postcss';
import { build } from 'esbuild';
import postcss from 'postcss';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const GLOBALS_CSS = `${ROOT}app/globals.css`;

/** The bench pages' files by URL path ("/ours.js", "/chunk-X.js", "/app.css"). */
export type PageFiles = Map<string, { body: Buffer; contentType: string }>;

/**
 * Both pages bundled as a production build: minified, NODE_ENV=production, with React's profiling
 * build (`react-dom/profiling`, the production build plus Profiler timings, so `onRender` fires),
 * and the app's own Tailwind CSS, so layout and paint cost what they cost in the app.
 */
export async function bundlePages(): Promise<PageFiles> {
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: { ours: 'bench/client/page/ours.tsx', theirs: 'bench/client/page/theirs.tsx' },
    bundle: true,
    splitting: true, // Shiki's grammars stay lazy chunks, as in the app
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    jsx: 'automatic',
    define: { 'process.env.NODE_ENV': '"production"' },
    alias: { 'react-dom/client': 'react-dom/profiling' },
    outdir: '/bench',
    write: false,
    logLevel: 'error', // 'use client' directives are dropped with a warning per file
  });
  const files: PageFiles = new Map();
  for (const file of result.outputFiles) {
    files.set(file.path.slice('/bench'.length), { body: Buffer.from(file.contents), contentType: 'text/javascript' });
  }
  const css = await postcss([tailwind()]).process(await readFile(GLOBALS_CSS, 'utf8'), { from: GLOBALS_CSS });
  files.set('/app.css', { body: Buffer.from(css.css), contentType: 'text/css' });
  for (const name of ['ours', 'theirs']) {
    const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><link rel="stylesheet" href="/app.css"></head><body class="h-dvh"><div id="root"></div><script type="module" src="/${name}.js"></script></body></html>`;
    files.set(`/${name}.html`, { body: Buffer.from(html), contentType: 'text/html' });
  }
  return files;
}
