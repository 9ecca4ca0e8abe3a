import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { browserPerFile, providers, UNTIL, uniqueTag } from './support/journey';

// Issue 18 §1 in a browser: a page built on the AI SDK's own `useChat` (app/ai-sdk, importing
// nothing from the module) against `next start`: send, reload mid-reply, stop.
const open = browserPerFile();

function longReply(tag: string, count: number): string {
  return `Tides ${tag}: ${Array.from({ length: count }, (_, i) => `word${i}`).join(' ')}`;
}

const screen = (page: Page) => {
  const log = page.getByRole('log', { name: 'Messages' });
  return {
    replies: log.getByRole('article', { name: 'Reply' }),
    questions: log.getByRole('article', { name: 'Your message' }),
    message: page.getByRole('textbox', { name: 'Message' }),
    send: page.getByRole('button', { name: 'Send' }),
    stop: page.getByRole('button', { name: 'Stop' }),
  };
};
const lastReply = (page: Page) => screen(page).replies.last().innerText().then((text) => text.trim(), () => '');

/** The chat as the server saved it (the AI SDK chat id is in the page's URL). */
async function saved(page: Page) {
  const chat = new URL(page.url()).searchParams.get('chat')!;
  const response = await page.request.get(`/api/chat/${chat}/messages`);
  return ((await response.json()) as { messages: { role: string; parts: { type: string; text?: string }[]; metadata?: { stopped?: boolean } }[] }).messages;
}
const savedText = (message: { parts: { type: string; text?: string }[] } | undefined) =>
  (message?.parts ?? []).map((part) => (part.type === 'text' ? part.text : '')).join('');

async function ask(page: Page, text: string): Promise<void> {
  const s = screen(page);
  await s.message.fill(text);
  await s.send.click();
}

describe('useChat from @ai-sdk/react on our server', () => {
  it('sends a message and shows the reply, saved as the AI SDK reads it', async () => {
    const tag = uniqueTag();
    await providers.script('openai', { text: `Hello from the server ${tag}.` });
    const page = await open('/ai-sdk');
    await expect.poll(() => page.url(), UNTIL).toContain('chat=');
    await ask(page, `Hi ${tag}`);
    await expect.poll(() => lastReply(page), UNTIL).toBe(`Hello from the server ${tag}.`);
    await expect(screen(page).questions.count()).resolves.toBe(1);
    const messages = await saved(page);
    expect(messages.map((message) => message.role)).toEqual(['user', 'assistant']);
    expect(savedText(messages[1])).toBe(`Hello from the server ${tag}.`);
  });

  it('a reload mid-reply: the reply resumes and ends whole, shown once', async () => {
    const tag = uniqueTag();
    const text = longReply(tag, 60);
    await providers.script('openai', { text, delayMs: 60, usage: { promptTokens: 40, completionTokens: 210 } });
    const page = await open('/ai-sdk');
    await ask(page, `Tell me about the tides ${tag}`);
    await expect.poll(() => lastReply(page), UNTIL).toContain('word3');

    await page.reload();
    // Back mid-reply: the reply comes again from its start and goes on live.
    await screen(page).stop.waitFor({ state: 'visible', timeout: UNTIL.timeout });
    const during = await lastReply(page);
    expect(text.startsWith(during)).toBe(true);
    expect(during).not.toBe(text);
    await expect.poll(() => lastReply(page), UNTIL).toBe(text);
    await screen(page).send.waitFor({ state: 'visible', timeout: UNTIL.timeout });
    await expect(screen(page).replies.count()).resolves.toBe(1);
    await expect(screen(page).questions.count()).resolves.toBe(1);
    expect((await page.getByRole('log', { name: 'Messages' }).innerText()).split('word59').length).toBe(2);
    await expect.poll(async () => savedText((await saved(page))[1]), UNTIL).toBe(text);
  });

  it('Stop stops the reply itself: it ends where it was, marked stopped, and stays so after a reload', async () => {
    const tag = uniqueTag();
    const text = longReply(tag, 80);
    await providers.script('openai', { text, delayMs: 60, usage: { promptTokens: 40, completionTokens: 280 } });
    const page = await open('/ai-sdk');
    await ask(page, `Go on about the tides ${tag}`);
    await expect.poll(() => lastReply(page), UNTIL).toContain('word3');
    await screen(page).stop.click();
    await expect.poll(() => lastReply(page), UNTIL).toContain('Stopped');
    await screen(page).send.waitFor({ state: 'visible', timeout: UNTIL.timeout });
    const shown = (await lastReply(page)).replace(/\s*Stopped$/, '');
    expect(text.startsWith(shown)).toBe(true);
    expect(shown).not.toBe(text);

    const messages = await saved(page);
    expect(messages[1]).toMatchObject({ role: 'assistant', metadata: { stopped: true } });
    expect(savedText(messages[1]).trim()).toBe(shown);
    await page.reload();
    await expect.poll(() => lastReply(page), UNTIL).toMatch(/Stopped$/);
    expect((await lastReply(page)).replace(/\s*Stopped$/, '')).toBe(shown);
    await expect(screen(page).stop.count()).resolves.toBe(0);
  });
});
