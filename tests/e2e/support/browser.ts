import { chromium, type Browser, type BrowserContextOptions, type Locator, type Page } from 'playwright-core';

/** Chromium from Debian, headless; never a downloaded browser. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

/** A fresh context (own cookies and storage) at a desktop size, with one page open at `path`. */
export async function openPage(
  browser: Browser,
  baseUrl: string,
  path = '/',
  options: BrowserContextOptions = {},
): Promise<Page> {
  const context = await browser.newContext({ baseURL: baseUrl, viewport: { width: 1280, height: 800 }, ...options });
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  await page.goto(path);
  return page;
}

/** The parts of the chat screen a person looks at, by their accessible names. */
export function chatScreen(page: Page) {
  const chat = page.getByRole('region', { name: 'Chat' });
  const log = chat.getByRole('log', { name: 'Messages' });
  return {
    chat,
    log,
    input: chat.getByRole('textbox', { name: 'Message', exact: true }),
    send: chat.getByRole('button', { name: 'Send message' }),
    stop: chat.getByRole('button', { name: 'Stop generating' }),
    modelPicker: chat.getByRole('combobox', { name: 'Model' }),
    usage: chat.getByRole('region', { name: 'Usage' }),
    alert: chat.getByRole('alert'),
    sidebar: page.getByRole('navigation', { name: 'Conversations' }),
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

/** Resolves once no reply is being written (the send button is back). */
export async function waitForIdle(page: Page): Promise<void> {
  await chatScreen(page).send.waitFor({ state: 'visible' });
  await page.locator('[aria-busy="true"]').first().waitFor({ state: 'detached' });
}

/** The id in /c/<id>, once the app has put the new conversation in the address bar. */
export async function conversationIdOf(page: Page): Promise<string> {
  await page.waitForURL(/\/c\/[^/]+$/);
  return new URL(page.url()).pathname.split('/').pop()!;
}
