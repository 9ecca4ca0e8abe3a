import { chromium, type Browser, type BrowserContextOptions, type Locator, type Page } from 'playwright-core';

/** Chromium from Debian, headless; never a downloaded browser. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

/** The two screens the suite runs at: a laptop and a phone (iPhone 12-15 size, touch). */
export const VIEWPORTS = {
  desktop: { viewport: { width: 1280, height: 800 } },
  phone: { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 3 },
} satisfies Record<string, BrowserContextOptions>;
export type ViewportName = keyof typeof VIEWPORTS;
export const VIEWPORT_NAMES = Object.keys(VIEWPORTS) as ViewportName[];

/** A fresh context (own cookies and storage) at a desktop size, with one page open at `path`. */
export async function openPage(
  browser: Browser,
  baseUrl: string,
  path = '/',
  options: BrowserContextOptions = {},
): Promise<Page> {
  const context = await browser.newContext({ baseURL: baseUrl, ...VIEWPORTS.desktop, ...options });
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  await page.goto(path);
  return page;
}

/**
 * The parts of the chat screen a person looks at, by their roles and accessible names (the UI
 * contract in docs/api.md: "Message", "Send", "Stop", "Model", a `log` of messages). The send and
 * stop buttons also answer to their older names ("Send message", "Stop generating").
 */
export function chatScreen(page: Page) {
  // Scoped to the main landmark: Next's route announcer is an `alert` of its own.
  const main = page.getByRole('main');
  const log = main.getByRole('log');
  return {
    main,
    log,
    input: main.getByRole('textbox', { name: 'Message', exact: true }),
    send: main.getByRole('button', { name: /^Send( message)?$/ }),
    stop: main.getByRole('button', { name: /^Stop( generating)?$/ }),
    modelPicker: page.getByRole('combobox', { name: 'Model' }),
    usage: page.getByRole('region', { name: 'Usage' }),
    alert: main.getByRole('alert'),
    heading: page.getByRole('heading', { level: 1 }),
    userMessages: log.getByRole('article', { name: 'You said' }),
    replies: log.getByRole('article', { name: 'Assistant said' }),
  };
}

/** The reply's own text (markdown as rendered), without its footer of tokens and time. */
export function replyBody(reply: Locator): Locator {
  return reply.locator('[aria-busy]');
}

/** Types a message and sends it with Enter, as a person would. */
export async function sendMessage(page: Page, text: string): Promise<void> {
  const { input } = chatScreen(page);
  await input.fill(text);
  await input.press('Enter');
}

/**
 * Resolves once no reply is being written (the send button is back). Up to 30 s: how long a reply
 * takes to stream is not what a journey checks, and the suite runs two files at a time on a
 * machine whose speed varies.
 */
export async function waitForIdle(page: Page, timeout = 30_000): Promise<void> {
  await chatScreen(page).send.waitFor({ state: 'visible', timeout });
  await page.locator('[aria-busy="true"]').first().waitFor({ state: 'detached', timeout });
}

/** The id in /c/<id>, once the app has put the new conversation in the address bar. */
export async function conversationIdOf(page: Page): Promise<string> {
  await page.waitForURL(/\/c\/[^/]+$/);
  return new URL(page.url()).pathname.split('/').pop()!;
}

/** Whether any part of the element is on screen: inside the window and every scrolling ancestor. */
export function isInView(locator: Locator, text?: string): Promise<boolean> {
  return locator.evaluate((element, text) => {
    // With `text`: where that text is drawn, not the element's whole box (one element can hold a
    // message's 120 lines, of which only the first few show).
    let rect = element.getBoundingClientRect();
    let clippedBy = element.parentElement;
    const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); text && node; node = walker.nextNode()) {
      const at = node.textContent?.indexOf(text) ?? -1;
      if (at < 0) continue;
      const range = document.createRange();
      range.setStart(node, at);
      range.setEnd(node, at + text.length);
      rect = range.getBoundingClientRect();
      clippedBy = node.parentElement;
      break;
    }
    let { top, bottom } = rect;
    top = Math.max(top, 0);
    bottom = Math.min(bottom, window.innerHeight);
    for (let node = clippedBy; node; node = node.parentElement) {
      const { overflowY } = getComputedStyle(node);
      if (overflowY !== 'auto' && overflowY !== 'scroll' && overflowY !== 'hidden') continue;
      const box = node.getBoundingClientRect();
      top = Math.max(top, box.top);
      bottom = Math.min(bottom, box.bottom);
    }
    return bottom - top > 1;
  }, text);
}
