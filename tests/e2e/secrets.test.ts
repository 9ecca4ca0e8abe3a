import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { ROOT } from './support/app-server';
import { baseUrl } from './support/journey';
import { PLANTED_MARKERS, PLANTED_SECRETS } from './support/planted-secrets';

const STATIC_DIR = join(ROOT, '.next', 'static');
const NEEDLES = [...Object.values(PLANTED_SECRETS), ...PLANTED_MARKERS];

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
}

/** Which needles occur in `text`, as `needle in file` lines. */
function leaksIn(text: string, where: string): string[] {
  return NEEDLES.filter((needle) => text.includes(needle)).map((needle) => `${needle} in ${where}`);
}

describe('server secrets stay on the server', () => {
  it('the build ran with the planted keys in its environment', () => {
    // Without this, a build that never saw the keys would pass the leak checks for free.
    const buildEnv = inject('buildEnv');
    for (const [name, value] of Object.entries(PLANTED_SECRETS)) expect(buildEnv[name]).toBe(value);
    expect(buildEnv.NEXT_PUBLIC_SUPABASE_URL).toBeTruthy();
  });

  it('no planted key is anywhere in the browser bundle (.next/static)', async () => {
    const files = await filesUnder(STATIC_DIR);
    expect(files.some((file) => file.endsWith('.js'))).toBe(true);
    const leaks: string[] = [];
    let bytes = 0;
    for (const file of files) {
      const content = await readFile(file);
      bytes += content.length;
      leaks.push(...leaksIn(content.toString('latin1'), relative(ROOT, file)));
    }
    expect(bytes).toBeGreaterThan(100_000);
    expect(leaks).toEqual([]);
  });

  it('no planted key is in the pages and scripts the server sends to a browser', async () => {
    const html = await (await fetch(`${baseUrl}/`)).text();
    const leaks = leaksIn(html, '/');
    // Every script the page loads, as served (the server could add what is not on disk).
    const scripts = [...html.matchAll(/<script[^>]+src="([^"]+)"/g)].map((match) => match[1]!);
    expect(scripts.length).toBeGreaterThan(0);
    for (const src of scripts) leaks.push(...leaksIn(await (await fetch(new URL(src, baseUrl))).text(), src));
    const config = await (await fetch(`${baseUrl}/api/chat/config`)).text();
    leaks.push(...leaksIn(config, '/api/chat/config'));
    expect(leaks).toEqual([]);
  });
});

describe('the offline demo model stays out of production builds (issue 21)', () => {
  it('no JavaScript the production build runs or sends holds the canned reply', async () => {
    // The demo is offered only by `next dev` with no key; the build folds its NODE_ENV test, and
    // the canned text (providers/demo/canned-reply.ts) must go with it. Source maps list sources.
    const files = (await filesUnder(join(ROOT, '.next'))).filter(
      (file) => file.endsWith('.js') && !relative(ROOT, file).startsWith(join('.next', 'dev')),
    );
    expect(files.length).toBeGreaterThan(10);
    const holding: string[] = [];
    for (const file of files) {
      if ((await readFile(file, 'utf8')).includes('canned reply written on your machine')) holding.push(relative(ROOT, file));
    }
    expect(holding).toEqual([]);
  });
});
