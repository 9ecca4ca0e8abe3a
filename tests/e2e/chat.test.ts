import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { formatTokens } from '../../features/ai-chat/components/format';
import { chatScreen, conversationIdOf, launchBrowser, openPage, replyBody, sendMessage, waitForIdle } from './support/browser';
import { baseUrl, providers } from './support/journey';
import { chatList } from './support/sidebar';

/** expect.poll's default second is too short for a reply streamed by a production server. */
const UNTIL = { timeout: 20_000, interval: 50 };

let browser: Browser;
const pages: Page[] = [];

async function open(path = '/'): Promise<Page> {
  const page = await openPage(browser, baseUrl, path);
  pages.push(page);
  return page;
}

beforeAll(async () => {
  browser = await launchBrowser();
});

afterEach(async () => {
  await Promise.all(pages.splice(0).map((page) => page.context().close()));
});

afterAll(async () => {
  await browser?.close();
});

describe('chatting', () => {
  it('a reply streams in word by word, then shows in full', async () => {
    const page = await open();
    const screen = chatScreen(page);
    await sendMessage(page, '[slow] one two three four five six seven eight');

    // Part of the reply is on screen while it is still being written (one look at the page, so
    // the three facts hold at the same moment): some text, not the last word, a Stop button.
    const partial = await page.waitForFunction(() => {
      const reply = document.querySelector('[role="log"] article[aria-label="Assistant said"] [aria-busy="true"]');
      const text = reply?.textContent ?? '';
      const stoppable = [...document.querySelectorAll('main button')].some((button) =>
        /^Stop( generating)?$/.test((button.getAttribute('aria-label') ?? button.textContent ?? '').trim()),
      );
      return stoppable && /Echo from gpt-5-mini: \S/.test(text) && !text.includes('eight') ? text : false;
    }, undefined, { polling: 50 });
    expect(await partial.jsonValue()).toMatch(/^Echo from gpt-5-mini: one/);

    await waitForIdle(page);
    await expect(replyBody(screen.replies.last()).innerText()).resolves.toBe(
      'Echo from gpt-5-mini: one two three four five six seven eight',
    );
  });

  it('a stopped reply keeps what was written, marked "Stopped", also after a reload', async () => {
    const page = await open();
    const screen = chatScreen(page);
    await sendMessage(page, '[slow] [long] Tell me everything');
    await expect.poll(() => replyBody(screen.replies.last()).innerText(), UNTIL).toContain('word10');
    await screen.stop.click();

    await waitForIdle(page);
    const reply = screen.replies.last();
    await expect(reply.innerText()).resolves.toContain('Stopped');
    const shown = (await replyBody(reply).innerText()).trim();
    expect(shown).toMatch(/^Long reply from gpt-5-mini: word0 word1 .*word10/);
    expect(shown).not.toContain('word399');

    const id = await conversationIdOf(page);
    await page.reload();
    expect(new URL(page.url()).pathname).toBe(`/c/${id}`);
    const saved = chatScreen(page).replies.last();
    await expect.poll(() => saved.innerText(), UNTIL).toContain('Stopped');
    // The server keeps at least what reached the screen (a word or two more may have been on the wire).
    const kept = (await replyBody(saved).innerText()).trim();
    expect(kept.startsWith(shown)).toBe(true);
    expect(kept).not.toContain('word399');
  });

  it('a conversation is in the sidebar after a reload, and opening it shows its messages', async () => {
    const first = await open();
    await sendMessage(first, 'Plan a picnic for Saturday');
    await waitForIdle(first);
    const id = await conversationIdOf(first);

    const page = await open('/');
    const screen = chatScreen(page);
    const item = chatList(page, 'desktop').entry(page, 'Plan a picnic for Saturday');
    await item.click();
    await page.waitForURL(`**/c/${id}`);
    await expect.poll(() => screen.userMessages.allInnerTexts(), UNTIL).toEqual([
      expect.stringContaining('Plan a picnic for Saturday'),
    ]);
    await expect(replyBody(screen.replies.first()).innerText()).resolves.toBe('Echo from gpt-5-mini: Plan a picnic for Saturday');
    await expect(item.getAttribute('aria-current')).resolves.toBe('page');
  });

  it('an edited question becomes a second version, and the version picker flips between the two', async () => {
    const page = await open();
    const screen = chatScreen(page);
    await sendMessage(page, 'What is two plus two?');
    await waitForIdle(page);

    const question = screen.userMessages.last();
    await question.getByRole('button', { name: 'Edit message' }).click();
    await question.getByRole('textbox', { name: 'Edit message' }).fill('What is three plus three?');
    await question.getByRole('button', { name: 'Save and send' }).click();
    await waitForIdle(page);

    const versions = screen.userMessages.last().getByRole('group', { name: 'Versions' });
    const shownPair = async () => [
      await screen.userMessages.last().innerText(),
      await replyBody(screen.replies.last()).innerText(),
    ];
    await expect.poll(() => versions.innerText(), UNTIL).toMatch(/2\s*\/\s*of\s*2/);
    await expect.poll(shownPair, UNTIL).toEqual([
      expect.stringContaining('What is three plus three?'),
      'Echo from gpt-5-mini: What is three plus three?',
    ]);

    await versions.getByRole('button', { name: 'Previous version' }).click();
    await expect.poll(shownPair, UNTIL).toEqual([
      expect.stringContaining('What is two plus two?'),
      'Echo from gpt-5-mini: What is two plus two?',
    ]);
    await expect.poll(() => versions.innerText(), UNTIL).toMatch(/1\s*\/\s*of\s*2/);

    await versions.getByRole('button', { name: 'Next version' }).click();
    await expect.poll(shownPair, UNTIL).toEqual([
      expect.stringContaining('What is three plus three?'),
      'Echo from gpt-5-mini: What is three plus three?',
    ]);
  });

  it('picking a Claude model in the model picker gets the reply from Claude', async () => {
    const page = await open();
    const screen = chatScreen(page);
    await screen.modelPicker.selectOption('anthropic:claude-haiku-5-5');
    await sendMessage(page, 'Which model are you?');
    await waitForIdle(page);

    await expect(replyBody(screen.replies.last()).innerText()).resolves.toBe('Echo from claude-haiku-5-5: Which model are you?');
    // Both fakes echo the model they were asked for: check the question really reached the Anthropic one.
    await expect(providers.requests('anthropic')).resolves.toContainEqual({ model: 'claude-haiku-5-5', text: 'Which model are you?', tools: [] });
    const openaiTexts = (await providers.requests('openai')).map((request) => request.text);
    expect(openaiTexts).not.toContain('Which model are you?');
  });

  it('a provider failure shows an error, and Retry gets the answer once the provider is back', async () => {
    // "[fail]" in the text fails every attempt, so a retry of the same question would fail again
    // and prove nothing. Instead the fake fails every request while switched on: the question
    // fails (with the SDK's own retries), the provider recovers, and Retry must send the same
    // question again and show its answer, without a duplicate question in the conversation.
    const question = 'Is it going to rain tomorrow?';
    const page = await open();
    const screen = chatScreen(page);
    await providers.setFailing('openai', true);
    try {
      await sendMessage(page, question);
      await screen.alert.waitFor({ state: 'visible' });
    } finally {
      await providers.setFailing('openai', false);
    }
    const message = await screen.alert.innerText();
    expect(message).not.toMatch(/sk-e2e|server had an error|500/); // no key, no raw provider body
    const failedAttempts = (await providers.requests('openai')).filter((request) => request.text === question).length;
    expect(failedAttempts).toBeGreaterThanOrEqual(1);

    await screen.alert.getByRole('button', { name: 'Retry' }).click();
    await expect.poll(() => replyBody(screen.replies.last()).innerText(), UNTIL).toBe(`Echo from gpt-5-mini: ${question}`);
    await expect(screen.alert.count()).resolves.toBe(0);
    const attempts = (await providers.requests('openai')).filter((request) => request.text === question).length;
    expect(attempts).toBe(failedAttempts + 1);

    // Saved once: the retried question is not a second copy of the first.
    await conversationIdOf(page);
    await page.reload();
    await expect.poll(() => chatScreen(page).replies.count(), UNTIL).toBe(1);
    await expect(chatScreen(page).userMessages.allInnerTexts()).resolves.toEqual([expect.stringContaining(question)]);
  });

  it('the usage meter in the header counts the tokens of a reply', async () => {
    // Large enough that the meter's compact figure ("12K") must change whatever ran before.
    const billed = { promptTokens: 12_000, completionTokens: 3_000 };
    await providers.script('openai', { text: 'Counted.', usage: billed });
    const page = await open();
    const screen = chatScreen(page);
    await expect.poll(() => screen.usage.innerText(), UNTIL).toContain('tokens today');
    const usage = (await (await page.request.get('/api/chat/usage')).json()) as { usage: { tokensToday: number } };
    const before = formatTokens(usage.usage.tokensToday);
    const after = formatTokens(usage.usage.tokensToday + billed.promptTokens + billed.completionTokens);
    expect(after).not.toBe(before);
    await expect(screen.usage.innerText()).resolves.toContain(`${before} / 1M tokens today`);

    await sendMessage(page, 'Count my tokens');
    await waitForIdle(page);
    await expect.poll(() => screen.usage.innerText(), UNTIL).toContain(`${after} / 1M tokens today`);
  });
});

describe('keyboard only', () => {
  it('Tab reaches the message box, Shift+Enter breaks the line, Enter sends, Esc stops, focus stays in the box', async () => {
    const page = await open();
    const screen = chatScreen(page);
    await screen.input.waitFor();
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());

    const inputFocused = () => screen.input.evaluate((element) => element === document.activeElement);
    // The sidebar comes first in tab order (three stops per conversation earlier tests left).
    let presses = 0;
    while (!(await inputFocused()) && presses < 150) {
      await page.keyboard.press('Tab');
      presses += 1;
    }
    expect(await inputFocused()).toBe(true);

    await page.keyboard.type('First line');
    await page.keyboard.press('Shift+Enter');
    await page.keyboard.type('second line');
    await expect(screen.input.inputValue()).resolves.toBe('First line\nsecond line');
    await page.keyboard.press('Enter');

    await expect.poll(() => screen.userMessages.last().innerText(), UNTIL).toContain('First line\nsecond line');
    await expect(screen.input.inputValue()).resolves.toBe('');
    expect(await inputFocused()).toBe(true);
    await waitForIdle(page);
    await expect(replyBody(screen.replies.last()).innerText()).resolves.toContain('Echo from gpt-5-mini: First line');

    await page.keyboard.type('[slow] [long] Keep talking');
    await page.keyboard.press('Enter');
    await expect.poll(() => replyBody(screen.replies.last()).innerText(), UNTIL).toContain('word5');
    await page.keyboard.press('Escape');
    await waitForIdle(page);
    await expect(screen.replies.last().innerText()).resolves.toContain('Stopped');
    expect(await replyBody(screen.replies.last()).innerText()).not.toContain('word399');
    expect(await inputFocused()).toBe(true);
  });
});
