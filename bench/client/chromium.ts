import { chromium, type Browser, type CDPSession, type Page } from 'playwright-core';

/** The system Chromium, headless; the flags keep it from doing work of its own while we measure. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-renderer-backgrounding',
      '--disable-background-timer-throttling',
      '--js-flags=--expose-gc',
    ],
  });
}

/** Main-thread time of the page's renderer, from CDP `Performance.getMetrics`, in milliseconds. */
export interface MainThread {
  /** Every task on the renderer's main thread: script, style, layout, paint, timers, parsing. */
  task: number;
  script: number;
  /** Style recalculation plus layout. */
  styleLayout: number;
}

export async function openMetrics(page: Page): Promise<CDPSession> {
  const cdp = await page.context().newCDPSession(page);
  // threadTicks: the main thread's own CPU time, so another process taking the core is not billed.
  await cdp.send('Performance.enable', { timeDomain: 'threadTicks' });
  return cdp;
}

export async function mainThread(cdp: CDPSession): Promise<MainThread> {
  const { metrics } = await cdp.send('Performance.getMetrics');
  const value = (name: string) => (metrics.find((metric) => metric.name === name)?.value ?? 0) * 1000;
  return {
    task: value('TaskDuration'),
    script: value('ScriptDuration'),
    styleLayout: value('RecalcStyleDuration') + value('LayoutDuration'),
  };
}

export function since(before: MainThread, after: MainThread): MainThread {
  return { task: after.task - before.task, script: after.script - before.script, styleLayout: after.styleLayout - before.styleLayout };
}

/** Waits until the page's main thread has been (almost) idle for two polls in a row. */
export async function settle(cdp: CDPSession, { pollMs = 250, idleMs = 5, timeoutMs = 20_000 } = {}): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = await mainThread(cdp);
  let quiet = 0;
  while (quiet < 2 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, pollMs));
    const now = await mainThread(cdp);
    quiet = now.task - last.task < idleMs ? quiet + 1 : 0;
    last = now;
  }
}
