import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { chatScreen, conversationIdOf, launchBrowser, openPage, sendMessage, waitForIdle } from './support/browser';
import { baseUrl, providers } from './support/journey';

const docs = (name: string) => fileURLToPath(new URL(`../../docs/${name}`, import.meta.url));

const QUESTION = 'How do I debounce a search box in TypeScript? When should I throttle instead?';
const ANSWER = `Wrap the handler so it runs only after the user **stops typing** for a moment:

\`\`\`ts
export function debounce<A extends unknown[]>(fn: (...args: A) => void, ms = 250) {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return (...args: A) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}

const search = debounce((query: string) => fetchResults(query), 300);
\`\`\`

| Technique | Runs | Good for |
| --- | --- | --- |
| Debounce | once, after the calls stop | search boxes, resize end, autosave |
| Throttle | at most once per interval | scroll, drag, pointer tracking |

Use *throttle* when the user should see progress while the events keep coming.`;

let browser: Browser;

beforeAll(async () => {
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
});

/** Deletes what earlier test files left, so the sidebar shows only this file's conversations. */
async function deleteAllConversations(): Promise<void> {
  const list = (await (await fetch(`${baseUrl}/api/chat/conversations`)).json()) as { conversations: { id: string }[] };
  for (const { id } of list.conversations) {
    const response = await fetch(`${baseUrl}/api/chat/conversations/${id}`, { method: 'DELETE' });
    expect(response.ok).toBe(true);
  }
}

it('the main screen, with a markdown reply (code and a table), in light and dark', async () => {
  await deleteAllConversations();
  const setup = await openPage(browser, baseUrl, '/');
  for (const earlier of ['Plan a three-day trip to Lisbon', 'Explain row-level security in Postgres']) {
    await sendMessage(setup, earlier);
    await waitForIdle(setup);
    await setup.goto('/');
  }
  await providers.script('openai', { text: ANSWER, chunks: 40, usage: { promptTokens: 412, completionTokens: 186 } });
  await sendMessage(setup, QUESTION);
  await waitForIdle(setup);
  const id = await conversationIdOf(setup);
  await setup.context().close();

  for (const colorScheme of ['light', 'dark'] as const) {
    const page = await openPage(browser, baseUrl, `/c/${id}`, { colorScheme });
    const screen = chatScreen(page);
    await screen.replies.first().getByRole('table').waitFor();
    await page.locator('pre[data-highlighted="true"]').waitFor();
    await expect.poll(() => screen.usage.innerText(), { timeout: 10_000 }).toContain('tokens today');
    await page.mouse.move(0, 0);
    await page.screenshot({ path: docs(`screenshot-${colorScheme}.png`) });
    await page.context().close();
  }
});
