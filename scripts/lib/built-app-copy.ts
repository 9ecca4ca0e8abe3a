import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runProcess } from './child-processes';
import { plantRoutes, plantedRoutesSource } from './planted-routes';

/** A production build of the repo's working tree, in a copy outside the repo. */
export interface BuiltCopy {
  /** The copy's root: run `next start` here. */
  dir: string;
  /** False when an earlier build of the same sources was reused. */
  built: boolean;
  /** sha256 of every source file's path and content. */
  sourceHash: string;
}

/**
 * The folder holding the copy; reused across runs while the sources are unchanged. One per
 * checkout (named after the repo's path), so two worktrees never rebuild over each other's copy.
 */
export const BUILD_ROOT = path.join(
  os.tmpdir(),
  `ai-chat-load-build-${createHash('sha256').update(path.resolve(fileURLToPath(new URL('../..', import.meta.url)))).digest('hex').slice(0, 8)}`,
);

// Not part of the app: leaving them out keeps the build's type check short and means editing the
// docs (this script writes docs/benchmarks.md) or the tests does not force a rebuild.
const NOT_THE_APP = /^(docs|tests|bench|scripts|\.ci)\/|\.md$|^vitest\./;

/** The app's source files as git sees them (tracked and untracked, less what .gitignore drops). */
function sourceFiles(repo: string): string[] {
  const listed = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: repo, encoding: 'utf8' });
  return [...new Set(listed.split('\0').filter(Boolean))]
    .filter((file) => !NOT_THE_APP.test(file) && existsSync(path.join(repo, file)))
    .sort();
}

async function hashOf(repo: string, files: readonly string[]): Promise<string> {
  // The copy also holds the load scripts' planted routes: their sources are part of what was built.
  const hash = createHash('sha256').update(await plantedRoutesSource()).update('\0');
  for (const file of files) hash.update(file).update('\0').update(await readFile(path.join(repo, file))).update('\0');
  return hash.digest('hex');
}

/**
 * Copies the working tree to BUILD_ROOT (node_modules hard-linked, so the copy costs no disk) and
 * runs `next build` there, unless the previous build there is of exactly these sources. The repo's
 * own `.next` is never touched: other runs use it.
 *
 * With AI_CHAT_PREBUILT=1 a run that needs no reference route starts the repo's own `.next`
 * instead, as it stands: CI builds the app once (the browser suite's `next build`) and the load
 * runs reuse it. The module reads its environment at run time, so what that build was given does
 * not change the store or the providers a load run starts it with.
 */
export async function ensureBuiltCopy(
  repo: string,
  buildEnv: Record<string, string>,
  { needsReferenceRoute = true }: { needsReferenceRoute?: boolean } = {},
): Promise<BuiltCopy> {
  const files = sourceFiles(repo);
  const sourceHash = await hashOf(repo, files);
  if (process.env.AI_CHAT_PREBUILT === '1' && !needsReferenceRoute) {
    if (!existsSync(path.join(repo, '.next', 'BUILD_ID'))) {
      throw new Error(`AI_CHAT_PREBUILT=1, but ${path.join(repo, '.next')} holds no build: run next build first, or unset it`);
    }
    return { dir: repo, built: false, sourceHash };
  }
  const dir = path.join(BUILD_ROOT, 'app');
  const stamp = path.join(BUILD_ROOT, 'source-hash');
  const previous = existsSync(stamp) ? (await readFile(stamp, 'utf8')).trim() : '';
  if (previous === sourceHash && existsSync(path.join(dir, '.next', 'BUILD_ID'))) return { dir, built: false, sourceHash };

  await rm(BUILD_ROOT, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  for (const file of files) {
    await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
    await copyFile(path.join(repo, file), path.join(dir, file));
  }
  await plantRoutes(dir);
  // The copy's config extends the project's and skips the build's type check: `npm run typecheck`
  // checks the same sources, and it is a third of the build's time on a busy machine.
  await copyFile(path.join(dir, 'next.config.ts'), path.join(dir, 'next.config.project.ts'));
  await writeFile(
    path.join(dir, 'next.config.ts'),
    [
      "import type { NextConfig } from 'next';",
      "import project from './next.config.project';",
      'const config: NextConfig = { ...project, typescript: { ...project.typescript, ignoreBuildErrors: true } };',
      'export default config;',
      '',
    ].join('\n'),
  );
  await runProcess('hard-link node_modules', 'cp', ['-al', path.join(repo, 'node_modules'), path.join(dir, 'node_modules')], {
    cwd: dir,
    timeoutMs: 120_000,
  });
  await runProcess('next build', path.join(dir, 'node_modules/.bin/next'), ['build'], { cwd: dir, env: buildEnv, timeoutMs: 15 * 60_000 });
  await writeFile(stamp, `${sourceHash}\n`);
  return { dir, built: true, sourceHash };
}
