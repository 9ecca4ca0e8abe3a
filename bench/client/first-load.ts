import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { cp, mkdir, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { bytesBySource } from './attribute-bytes';
import { launchChromium } from './chromium';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** What `next build` reads: the app, the module, and the configuration around them. */
const INPUT_DIRS = ['app', 'features', 'public'];
/** Read by the server at run time only (the embedded store's migrations): copied, not hashed. */
const RUNTIME_DIRS = ['supabase'];
const INPUT_FILES = ['instrumentation.ts', 'instrumentation-node.ts', 'proxy.ts', 'next.config.ts', 'postcss.config.mjs', 'tsconfig.json', 'package.json', 'package-lock.json', 'next-env.d.ts'];
/** Packages counted as "React and Next": Next bundles its own copy of React and the scheduler. */
const FRAMEWORK = new Set(['next', 'react', 'react-dom', 'scheduler', '@swc/helpers']);

export interface FirstLoadFile {
  path: string;
  bytes: number;
  gzip: number;
  /** Share of the file's bytes that come from React and Next (by its source map). */
  frameworkShare: number;
}

export interface FirstLoadResult {
  /** Whether this run built the app or reused a build of the same sources. */
  built: boolean;
  buildSeconds: number;
  files: FirstLoadFile[];
  totalGzip: number;
  frameworkGzip: number;
  beyondGzip: number;
  /** Gzipped bytes beyond React and Next, per package ("app code" for the repository's own files). */
  beyondByPackage: { name: string; gzip: number }[];
}

async function inputFiles(): Promise<string[]> {
  const files = INPUT_FILES.filter((file) => existsSync(join(ROOT, file)));
  for (const dir of INPUT_DIRS) {
    if (!existsSync(join(ROOT, dir))) continue;
    for (const entry of await readdir(join(ROOT, dir), { recursive: true, withFileTypes: true })) {
      if (entry.isFile()) files.push(join(entry.parentPath, entry.name).slice(ROOT.length));
    }
  }
  return files.sort();
}

function run(child: ChildProcess): { output: () => string; exit: Promise<number | null> } {
  let tail = '';
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString('utf8')).slice(-8_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exit = new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { output: () => tail, exit };
}

const NEXT_BIN = join(ROOT, 'node_modules/next/dist/bin/next');

/**
 * A production build of the app in a temporary copy (never in the project's own .next, which other
 * work uses), keyed by the hash of its inputs: an unchanged tree reuses the last build.
 */
async function buildCopy(): Promise<{ dir: string; built: boolean; seconds: number }> {
  const files = await inputFiles();
  const hash = createHash('sha256');
  for (const file of files) hash.update(file).update('\0').update(await readFile(join(ROOT, file))).update('\0');
  const dir = join(tmpdir(), 'ai-chat-bench-first-load', hash.digest('hex').slice(0, 16));
  if (existsSync(join(dir, '.next/BUILD_ID'))) return { dir, built: false, seconds: 0 };

  // Only the build of the current sources is worth keeping.
  await rm(dirname(dir), { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  for (const file of files) await cp(join(ROOT, file), join(dir, file));
  await symlink(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  // The copy's config extends the project's: Turbopack may follow the node_modules link out of
  // the copy, browser source maps let the bytes be attributed to packages (the only change they
  // make to the JS is a trailing comment, removed before measuring), and type errors elsewhere in
  // a work-in-progress tree must not stop a size measurement.
  await cp(join(dir, 'next.config.ts'), join(dir, 'next.config.project.ts'));
  await writeFile(
    join(dir, 'next.config.ts'),
    [
      "import type { NextConfig } from 'next';",
      "import project from './next.config.project';",
      'const config: NextConfig = {',
      '  ...project,',
      "  turbopack: { ...project.turbopack, root: '/' },",
      '  productionBrowserSourceMaps: true,',
      '  typescript: { ...project.typescript, ignoreBuildErrors: true },',
      '};',
      'export default config;',
      '',
    ].join('\n'),
  );
  const started = performance.now();
  const build = run(spawn(process.execPath, [NEXT_BIN, 'build'], { cwd: dir, env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' }, stdio: ['ignore', 'pipe', 'pipe'] }));
  const code = await build.exit;
  if (code !== 0) throw new Error(`next build (in ${dir}) failed with exit ${code}:\n${build.output()}`);
  return { dir, built: true, seconds: (performance.now() - started) / 1000 };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no free port'))));
    });
  });
}

/** `next start` on the copy, with the embedded store and a provider key that is never used. */
async function startCopy(dir: string): Promise<{ url: string; stop: () => Promise<void> }> {
  for (const runtimeDir of RUNTIME_DIRS) await cp(join(ROOT, runtimeDir), join(dir, runtimeDir), { recursive: true, force: true });
  const port = await freePort();
  const child = spawn(process.execPath, [NEXT_BIN, 'start', '-p', String(port), '-H', '127.0.0.1'], {
    cwd: dir,
    detached: true, // its own process group: stopping it stops its workers too
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: '1', AI_CHAT_STORE: 'embedded', AI_CHAT_DATA_DIR: join(dir, '.data'), OPENAI_API_KEY: 'sk-bench-never-called' },
  });
  const server = run(child);
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode !== null || child.pid === undefined) return;
    process.kill(-child.pid, 'SIGTERM');
    await server.exit;
  };
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`next start exited (${child.exitCode}):\n${server.output()}`);
    try {
      if ((await fetch(`${url}/api/chat/config`)).ok) return { url, stop };
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  await stop();
  throw new Error(`next start did not answer within 60 s:\n${server.output()}`);
}

function packageOf(source: string | null): string | null {
  if (source === null) return null;
  // Turbopack's own runtime (module registry, chunk loading) ships with every Next page.
  if (source.includes('[turbopack]/')) return 'next';
  const at = source.lastIndexOf('node_modules/');
  if (at < 0) return 'app code';
  const [first = '', second = ''] = source.slice(at + 'node_modules/'.length).split('/');
  return first.startsWith('@') ? `${first}/${second}` : first;
}

/**
 * The JavaScript the chat page (`/`) loads on a first visit in Chromium, gzipped (level 9, as
 * Next's own size report), split into React/Next and the rest by each file's source map.
 */
export async function benchFirstLoad(): Promise<FirstLoadResult> {
  const { dir, built, seconds } = await buildCopy();
  const app = await startCopy(dir);
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    const scripts = new Set<string>();
    page.on('response', (response) => {
      if (response.request().resourceType() === 'script') scripts.add(new URL(response.url()).pathname);
    });
    await page.goto(`${app.url}/`, { waitUntil: 'networkidle' });

    const files: FirstLoadFile[] = [];
    const beyond = new Map<string, number>();
    for (const path of [...scripts].sort()) {
      if (!path.startsWith('/_next/')) throw new Error(`unexpected script ${path}`);
      const file = join(dir, '.next', path.slice('/_next/'.length));
      const source = await readFile(file, 'utf8');
      const mapName = /\/\/# sourceMappingURL=(\S+)\s*$/.exec(source)?.[1];
      const code = source.replace(/\n?\/\/# sourceMappingURL=\S+\s*$/, '');
      const gzip = gzipSync(code, { level: 9 }).length;
      const bytes = Buffer.byteLength(code);
      const mapFile = mapName ? join(dirname(file), mapName) : null;
      const bySource = mapFile && existsSync(mapFile) ? bytesBySource(code, JSON.parse(await readFile(mapFile, 'utf8'))) : new Map([[null, bytes]]);
      // Glue (bytes no source claims) is shared out like the mapped bytes of the same file.
      const byPackage = new Map<string, number>();
      for (const [source, count] of bySource) {
        const name = packageOf(source);
        if (name !== null) byPackage.set(name, (byPackage.get(name) ?? 0) + count);
      }
      const mapped = [...byPackage.values()].reduce((a, b) => a + b, 0);
      let frameworkShare = 1; // a file with no map at all is the bundler's runtime
      if (mapped > 0) {
        frameworkShare = 0;
        for (const [name, count] of byPackage) {
          const share = count / mapped;
          if (FRAMEWORK.has(name)) frameworkShare += share;
          else beyond.set(name, (beyond.get(name) ?? 0) + share * gzip);
        }
      }
      files.push({ path, bytes, gzip, frameworkShare });
    }
    const totalGzip = files.reduce((sum, f) => sum + f.gzip, 0);
    const frameworkGzip = files.reduce((sum, f) => sum + f.gzip * f.frameworkShare, 0);
    return {
      built,
      buildSeconds: seconds,
      files,
      totalGzip,
      frameworkGzip,
      beyondGzip: totalGzip - frameworkGzip,
      beyondByPackage: [...beyond].map(([name, gzip]) => ({ name, gzip })).sort((a, b) => b.gzip - a.gzip),
    };
  } finally {
    await browser.close();
    await app.stop();
  }
}
