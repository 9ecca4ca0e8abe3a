import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, inject } from 'vitest';
import { launchBrowser, openPage, VIEWPORTS, type ViewportName } from './browser';
import { laneIndex, type Lane } from './lanes';
import { providerControl } from './provider-control';

/** expect.poll's default second is too short for a reply streamed by a production server. */
export const UNTIL = { timeout: 15_000, interval: 50 };

/**
 * This file's lane (tests/e2e/support/lanes.ts): the apps and fakes its worker slot owns, so
 * nothing the other lane runs meanwhile touches them.
 */
const lanes = inject('lanes');
export const lane: Lane = lanes[laneIndex(lanes.length)]!;
export const baseUrl = lane.baseUrl;
export const providers = providerControl(lane.providerControlUrl);


let counter = 0;
/** A short tag that keeps this test's chats apart from every other test's in the shared database. */
export function uniqueTag(): string {
  counter += 1;
  return `${Date.now().toString(36).slice(-4)}${counter}`;
}

/**
 * One browser per test file, a fresh context (own storage) per page, every context closed after
 * each test: `open(path, viewport)` is a person arriving at the app on that screen.
 */
export function browserPerFile() {
  let browser: Browser;
  const pages: Page[] = [];
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterEach(async () => {
    await Promise.all(pages.splice(0).map((page) => page.context().close()));
  });
  afterAll(async () => {
    await browser?.close();
  });
  return async function open(
    path = '/',
    viewport: ViewportName = 'desktop',
    options: BrowserContextOptions & { app?: string } = {},
  ): Promise<Page> {
    const { app = baseUrl, ...context } = options;
    const page = await openPage(browser, app, path, { ...VIEWPORTS[viewport], ...context });
    page.setDefaultTimeout(12_000);
    pages.push(page);
    return page;
  };
}
