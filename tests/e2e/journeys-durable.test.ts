import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { chatScreen, conversationIdOf, replyBody, sendMessage, VIEWPORT_NAMES, waitForIdle } from './support/browser';
import { browserPerFile, providers, UNTIL, uniqueTag } from './support/journey';

// Journeys through a reply the server goes on writing whoever reads it (issue 12): a reload
// mid-reply, a second tab following it, Stop from that second tab, and the network lost mid-reply.
const open = browserPerFile();

/** A reply of `count` words, one per stream frame: long enough to reload or open a tab in. */
function longReply(tag: string, count: number): string {
  return `Tides ${tag}: ${Array.from({ length: count }, (_, i) => `word${i}`).join(' ')}`;
}

/** The conversation's last message as the server saved it (and whether it is still being written). */
async function savedReply(page: Page, conversationId: string) {
  const response = await page.request.get(`/api/chat/conversations/${conversationId}`);
  const detail = (await response.json()) as { messages: { role: string; content: string; status: string }[]; generating?: unknown[] };
  return { ...detail.messages.at(-1)!, generating: detail.generating?.length ?? 0 };
}

const shownReply = (page: Page) => replyBody(chatScreen(page).replies.last()).innerText().then((text) => text.trim(), () => '');

/** Sends a question the fake answers with `text` (word by word, `delayMs` apart) and waits until `word3` shows. */
async function startLongReply(page: Page, tag: string, text: string, delayMs: number): Promise<string> {
  await providers.script('openai', { text, delayMs, usage: { promptTokens: 40, completionTokens: 210 } });
  await sendMessage(page, `Tell me about the tides ${tag}`);
  await expect.poll(() => shownReply(page), UNTIL).toContain('word3');
  return conversationIdOf(page);
}

describe.each(VIEWPORT_NAMES)('on a %s', (viewport) => {
  it('a reload mid-reply: the reply carries on after the reload and ends whole, and is saved whole', async () => {
    const tag = uniqueTag();
    const text = longReply(tag, 60);
    const page = await open('/', viewport);
    const screen = chatScreen(page);
    const conversationId = await startLongReply(page, tag, text, 60);

    await page.reload();
    // Back mid-reply: the reply is being written again, from its start, with Stop offered.
    await screen.stop.waitFor({ state: 'visible', timeout: UNTIL.timeout });
    const during = await shownReply(page);
    expect(text.startsWith(during)).toBe(true);
    expect(during).not.toBe(text);
    await expect(replyBody(screen.replies.last()).getAttribute('aria-busy')).resolves.toBe('true');

    await waitForIdle(page);
    await expect.poll(() => shownReply(page), UNTIL).toBe(text);
    const reply = screen.replies.last();
    await expect.poll(() => reply.innerText(), UNTIL).toMatch(/\d[KM]? tokens/);
    expect(await reply.innerText()).not.toContain('Stopped');
    await expect(screen.alert.count()).resolves.toBe(0);
    await expect.poll(() => savedReply(page, conversationId), UNTIL).toMatchObject({ role: 'assistant', content: text, status: 'complete', generating: 0 });

    await page.reload();
    await expect.poll(() => shownReply(page), UNTIL).toBe(text);
    await expect(screen.userMessages.count()).resolves.toBe(1);
  });

  it('a second tab opened on the conversation mid-reply follows it live and ends whole', async () => {
    const tag = uniqueTag();
    const text = longReply(tag, 60);
    const page = await open('/', viewport);
    const conversationId = await startLongReply(page, tag, text, 60);

    const second = await page.context().newPage();
    await second.goto(`/c/${conversationId}`);
    const other = chatScreen(second);
    await other.stop.waitFor({ state: 'visible', timeout: UNTIL.timeout });
    const seen = await shownReply(second);
    // Live: it grows in the second tab while the first still writes it.
    await expect.poll(async () => (await shownReply(second)).length, UNTIL).toBeGreaterThan(seen.length);
    await expect(chatScreen(page).stop.isVisible()).resolves.toBe(true);

    await Promise.all([waitForIdle(page), waitForIdle(second)]);
    await expect.poll(() => shownReply(second), UNTIL).toBe(text);
    await expect.poll(() => shownReply(page), UNTIL).toBe(text);
    await expect.poll(() => other.replies.last().innerText(), UNTIL).toMatch(/\d[KM]? tokens/);
    await expect(other.userMessages.count()).resolves.toBe(1);
    expect(await savedReply(page, conversationId)).toMatchObject({ content: text, status: 'complete' });
  });

  it('Stop in the second tab stops the reply in both tabs within a second; both show the same stopped text, after a reload too', async () => {
    const tag = uniqueTag();
    const text = longReply(tag, 300);
    const page = await open('/', viewport);
    const conversationId = await startLongReply(page, tag, text, 50);
    const second = await page.context().newPage();
    await second.goto(`/c/${conversationId}`);
    const other = chatScreen(second);
    await other.stop.waitFor({ state: 'visible', timeout: UNTIL.timeout });

    await other.stop.click();
    // Both tabs: the reply marked as stopped, no longer written, within about a second.
    // The tab that pressed Stop says "Stopped"; the other one the server's "The reply was stopped."
    const stopped = async (tab: Page) => /stopped/i.test(await chatScreen(tab).replies.last().innerText());
    await expect.poll(async () => (await stopped(second)) && (await stopped(page)), { timeout: 1_500, interval: 50 }).toBe(true);

    await Promise.all([waitForIdle(page), waitForIdle(second)]);
    // The run's own row says it ended at its next checkpoint (within a second).
    await expect.poll(() => savedReply(page, conversationId), UNTIL).toMatchObject({ role: 'assistant', status: 'partial', generating: 0 });
    const saved = await savedReply(page, conversationId);
    expect(saved.content).not.toBe(text);
    expect(text.startsWith(saved.content)).toBe(true);
    // The words shown are the words saved (the saved text may end in the space after the last word).
    const stoppedText = saved.content.trim();
    await expect.poll(() => shownReply(page), UNTIL).toBe(stoppedText);
    await expect.poll(() => shownReply(second), UNTIL).toBe(stoppedText);
    await expect.poll(() => chatScreen(page).replies.last().innerText(), UNTIL).toMatch(/\d[KM]? tokens/);
    await expect(chatScreen(page).alert.count()).resolves.toBe(0);
    await expect(other.alert.count()).resolves.toBe(0);

    await page.reload();
    await expect.poll(() => shownReply(page), UNTIL).toBe(stoppedText);
    expect(await chatScreen(page).replies.last().innerText()).toContain('Stopped');
  });

  it('the network lost for two seconds mid-reply: the reply says it is reconnecting, then ends whole without a reload', async () => {
    const tag = uniqueTag();
    const text = longReply(tag, 80);
    const page = await open('/', viewport);
    const screen = chatScreen(page);
    const conversationId = await startLongReply(page, tag, text, 60);

    await page.context().setOffline(true);
    await page.getByText('Connection lost; reconnecting…').waitFor({ state: 'visible', timeout: UNTIL.timeout });
    await page.waitForTimeout(2_000);
    await page.context().setOffline(false);

    await waitForIdle(page);
    await expect.poll(() => shownReply(page), UNTIL).toBe(text);
    const reply = screen.replies.last();
    await expect.poll(() => reply.innerText(), UNTIL).toMatch(/\d[KM]? tokens/);
    expect(await reply.innerText()).not.toContain('Stopped');
    await expect(page.getByText('Connection lost; reconnecting…').count()).resolves.toBe(0);
    await expect(screen.alert.count()).resolves.toBe(0);
    await expect(screen.userMessages.count()).resolves.toBe(1);
    expect(await savedReply(page, conversationId)).toMatchObject({ role: 'assistant', content: text, status: 'complete' });
  });
});
