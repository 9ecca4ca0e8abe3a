import { createRequire } from 'node:module';
import type { Browser } from 'playwright-core';
import { summarize, type Summary } from '../support/stats';
import { bundlePages, type PageFiles } from './bundle';
import { launchChromium, mainThread, openMetrics, settle, since, type MainThread } from './chromium';
import { PROMPT } from './fixtures';

export type ClientName = 'ours' | 'theirs';

export interface ClientStreamingOptions {
  /** Conversation lengths to stream into (messages already shown). */
  lengths: readonly number[];
  deltas: number;
  /** Milliseconds between deltas on the wire. */
  intervalMs: number;
  /** Runs per client and length; interleaved, each in a fresh page. */
  runs: number;
}

export interface StreamRun {
  /** Main-thread time from pressing Enter until the reply's last words are painted. */
  main: MainThread;
  wallMs: number;
  commits: number;
  /** Main-thread time from navigation until the conversation is shown and the page is idle. */
  openMs: number;
}

export interface ClientCase {
  client: ClientName;
  messages: number;
  task: Summary;
  script: Summary;
  styleLayout: Summary;
  wall: Summary;
  commits: Summary;
  open: Summary;
  /** Median main-thread time per delta. */
  perDeltaMs: number;
}

export interface ClientStreamingResult {
  options: ClientStreamingOptions;
  versions: { chromium: string; react: string; aiSdkReact: string; ai: string };
  cases: ClientCase[];
}

const ORIGIN = 'http://bench.local';
const require = createRequire(import.meta.url);
const versionOf = (name: string) => (require(`${name}/package.json`) as { version: string }).version;

async function streamOnce(browser: Browser, files: PageFiles, client: ClientName, messages: number, options: ClientStreamingOptions): Promise<StreamRun> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  try {
    const page = await context.newPage();
    await page.route(`${ORIGIN}/**`, (route) => {
      const file = files.get(new URL(route.request().url()).pathname);
      return file ? route.fulfill({ body: file.body, contentType: file.contentType }) : route.fulfill({ status: 404 });
    });
    const cdp = await openMetrics(page);
    const fresh = await mainThread(cdp);
    await page.goto(`${ORIGIN}/${client}.html?messages=${messages}&deltas=${options.deltas}&interval=${options.intervalMs}`);
    await page.waitForFunction((count) => window.bench?.rows() === count, messages, { polling: 100, timeout: 60_000 });
    await settle(cdp);
    const opened = await mainThread(cdp);

    await page.fill('textarea', PROMPT);
    await page.evaluate(() => (globalThis as { gc?: () => void }).gc?.());
    await settle(cdp);
    const commitsBefore = await page.evaluate(() => window.bench.commits);
    const before = await mainThread(cdp);
    const startedAt = performance.now();
    // The key's events are acknowledged only when the page handles them; a client still busy with
    // the stream they started (on a loaded machine) can hold that past the default 30 s.
    await page.press('textarea', 'Enter', { timeout: 120_000 });
    await page.waitForFunction(() => window.bench.streamEnded && window.bench.replyShown(), undefined, { polling: 50, timeout: 120_000 });
    // Two frames: the last update is painted, not only committed.
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
    const after = await mainThread(cdp);
    const wallMs = performance.now() - startedAt;
    const commits = (await page.evaluate(() => window.bench.commits)) - commitsBefore;
    const rows = await page.evaluate(() => window.bench.rows());
    if (rows !== messages + 2) throw new Error(`${client}: ${rows} rows after the reply, expected ${messages + 2}`);
    return { main: since(before, after), wallMs, commits, openMs: since(fresh, opened).task };
  } finally {
    await context.close();
  }
}

/**
 * Streams the same reply into the same conversation with our client and with `@ai-sdk/react`'s
 * useChat, in headless Chromium, and measures React commits and main-thread time.
 */
export async function benchClientStreaming(options: ClientStreamingOptions): Promise<ClientStreamingResult> {
  const files = await bundlePages();
  const browser = await launchChromium();
  try {
    const cases: ClientCase[] = [];
    for (const messages of options.lengths) {
      const runs: Record<ClientName, StreamRun[]> = { ours: [], theirs: [] };
      for (let i = 0; i < options.runs; i++) {
        // Alternate which goes first, so drift in the machine's load hits both alike.
        const order: ClientName[] = i % 2 === 0 ? ['ours', 'theirs'] : ['theirs', 'ours'];
        for (const client of order) runs[client].push(await streamOnce(browser, files, client, messages, options));
      }
      for (const client of ['ours', 'theirs'] as const) {
        const list = runs[client];
        const task = summarize(list.map((run) => run.main.task));
        cases.push({
          client,
          messages,
          task,
          script: summarize(list.map((run) => run.main.script)),
          styleLayout: summarize(list.map((run) => run.main.styleLayout)),
          wall: summarize(list.map((run) => run.wallMs)),
          commits: summarize(list.map((run) => run.commits)),
          open: summarize(list.map((run) => run.openMs)),
          perDeltaMs: task.median / options.deltas,
        });
      }
    }
    return {
      options,
      versions: { chromium: browser.version(), react: versionOf('react'), aiSdkReact: versionOf('@ai-sdk/react'), ai: versionOf('ai') },
      cases,
    };
  } finally {
    await browser.close();
  }
}
