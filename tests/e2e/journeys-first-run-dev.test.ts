import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { axeViolations, describeViolations, isSerious } from './support/axe';
import { freePort, ROOT } from './support/app-server';
import { chatScreen, launchBrowser, replyBody, sendMessage, VIEWPORTS, waitForIdle } from './support/browser';
import { UNTIL } from './support/journey';

// The first five minutes (issue 21): `npm install && npm run dev` with no key at all, a fresh
// embedded database. The database is prepared while the page loads, the banner says how to add
// a key, and the offline demo model answers, labelled as what it is.
let dev: ChildProcess;
let output = '';
let url = '';
let dataDir = '';
let browser: Browser;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'ai-chat-first-run-'));
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  // Nothing configured: no keys, no database, no Supabase; only where to keep the embedded data.
  const env = Object.fromEntries(
    Object.entries(process.env).filter(
      ([name, value]) => value !== undefined && !/^(OPENAI_|ANTHROPIC_|NEXT_PUBLIC_SUPABASE|SUPABASE_|DATABASE_URL|AI_CHAT_|DEFAULT_AI_PROVIDER)/.test(name),
    ),
  ) as NodeJS.ProcessEnv;
  dev = spawn(process.execPath, [`${ROOT}node_modules/next/dist/bin/next`, 'dev', '-p', String(port), '-H', '127.0.0.1'], {
    cwd: ROOT,
    env: { ...env, NODE_ENV: 'development', AI_CHAT_DATA_DIR: dataDir, NEXT_TELEMETRY_DISABLED: '1' },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // Listening once it prints "Ready" (an event, not a poll on the clock); it exits on failure.
  const ready = new Promise<void>((resolve, reject) => {
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-20_000);
      if (/\bReady\b/.test(output)) resolve();
    };
    dev.stdout!.on('data', keep);
    dev.stderr!.on('data', keep);
    dev.once('exit', () => reject(new Error(`next dev exited:\n${output}`)));
  });
  await ready;
  // The config route compiles on its first request: done here, so the page then loads warm.
  const config = await fetch(`${url}/api/chat/config`);
  if (!config.ok) throw new Error(`next dev answered ${config.status} for /api/chat/config:\n${output}`);
  // The page compiles on its first load under next dev: done here, not inside the journey's timeouts.
  await fetch(`${url}/`);
  browser = await launchBrowser();
}, 240_000);

afterAll(async () => {
  await browser?.close();
  if (dev?.pid !== undefined && dev.exitCode === null) {
    const exited = new Promise((resolve) => dev.once('exit', resolve));
    process.kill(-dev.pid, 'SIGTERM');
    await exited;
  }
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
}, 30_000);

it('with no key, the offline demo model answers, labelled, and the banner says how to add a key', async () => {
  const context = await browser.newContext({ baseURL: url, ...VIEWPORTS.desktop });
  const page = await context.newPage();
  page.setDefaultTimeout(120_000);
  await page.goto('/', { timeout: 180_000 });
  const screen = chatScreen(page);
  const banner = screen.main.getByRole('status').filter({ hasText: 'Offline demo' });
  await banner.waitFor();
  expect(await banner.innerText()).toMatch(/canned.*not by an AI.*OPENAI_API_KEY or ANTHROPIC_API_KEY in \.env\.local/s);
  await expect.poll(() => screen.modelPicker.locator('option:checked').innerText(), { timeout: 120_000 }).toBe('Offline demo — canned replies, no AI');

  // The database was prepared when the server started, before this first message.
  expect(output).toContain('ai-chat: the embedded database is ready');
  await sendMessage(page, 'Hello, is anyone there?');
  await waitForIdle(page);
  const reply = await replyBody(screen.replies.last()).innerText();
  expect(reply).toMatch(/^Offline demo model — this is a canned reply written on your machine, not an AI\./);
  expect(reply).toContain('You wrote: “Hello, is anyone there?”');
  await expect.poll(() => screen.replies.last().getByRole('list', { name: 'Message details' }).innerText(), UNTIL).toContain('offline-demo');
  const violations = (await axeViolations(page)).filter(isSerious);
  expect(violations.length === 0 ? '' : describeViolations(violations)).toBe('');
  await page.context().close();
}, 240_000);
