import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { axeViolations, describeViolations, isSerious } from './support/axe';
import { chatScreen, conversationIdOf, replyBody, sendMessage, waitForIdle } from './support/browser';
import { browserPerFile, UNTIL, uniqueTag } from './support/journey';
import { samplePng } from './support/sample-files';
import { chatList } from './support/sidebar';

// Journeys of issue 21 against the production build: a text file attached and answered, an
// export brought back with its times and files, a second tab that sees a new message. (The usage
// limit said as plainly as an error is journeys-failures', on the one limited app; the first run
// with no key is journeys-first-run-dev.)
const open = browserPerFile();

async function attach(page: Page, file: { name: string; mimeType: string; buffer: Buffer }): Promise<void> {
  await page.getByTestId('attach-files-input').setInputFiles(file);
  const list = chatScreen(page).main.getByRole('list', { name: 'Files to send' });
  await list.getByText(file.name).waitFor();
  await expect.poll(() => list.getByRole('progressbar').count(), UNTIL).toBe(0);
}

async function seriousViolations(page: Page): Promise<string> {
  const violations = (await axeViolations(page)).filter(isSerious);
  return violations.length === 0 ? '' : describeViolations(violations);
}

describe.each([
  { viewport: 'desktop' as const, colorScheme: 'light' as const },
  { viewport: 'phone' as const, colorScheme: 'dark' as const },
])('on a $viewport in $colorScheme mode', ({ viewport, colorScheme }) => {
  it('a Markdown file is attached as a named chip, answered from its text, and previewed on click', async () => {
    const tag = uniqueTag();
    const page = await open('/', viewport, { colorScheme });
    const screen = chatScreen(page);
    const name = `groceries-${tag}.md`;
    await attach(page, { name, mimeType: 'text/markdown', buffer: Buffer.from(`# Groceries\n\n- oat milk ${tag}\n- eggs\n`) });
    await sendMessage(page, `What is on my list ${tag}?`);
    await waitForIdle(page);

    // The fake echoes what it was sent: the file reached it as named text, ahead of the question.
    await expect.poll(() => replyBody(screen.replies.last()).innerText(), UNTIL).toContain(`oat milk ${tag}`);
    await expect(replyBody(screen.replies.last()).innerText()).resolves.toContain(`What is on my list ${tag}?`);

    const chip = screen.userMessages.last().getByRole('button', { name: `Preview ${name}` });
    await expect(chip.innerText()).resolves.toBe(name);
    await chip.click();
    const dialog = page.getByRole('dialog', { name });
    await expect.poll(() => dialog.getByLabel(`Contents of ${name}`).innerText(), UNTIL).toContain(`- oat milk ${tag}`);
    expect(await seriousViolations(page)).toBe('');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
  });
});

it('an export re-imported keeps each message’s time and its picture; an older message shows its date', async () => {
  const tag = uniqueTag();
  const page = await open('/');
  const screen = chatScreen(page);
  const list = chatList(page, 'desktop');
  await attach(page, { name: `red-${tag}.png`, mimeType: 'image/png', buffer: samplePng() });
  const question = `What colour is this ${tag}?`;
  await sendMessage(page, question);
  await waitForIdle(page);
  await conversationIdOf(page);

  const [download] = await Promise.all([page.waitForEvent('download'), list.choose(question, 'Export as JSON')]);
  const saved = join(await mkdtemp(join(tmpdir(), 'ai-chat-export-')), download.suggestedFilename());
  await download.saveAs(saved);
  // Said three days ago: the copy must keep those times, and show their date.
  const file = JSON.parse(await readFile(saved, 'utf8')) as { messages: { createdAt: string }[] };
  const threeDaysAgo = (iso: string) => new Date(Date.parse(iso) - 3 * 86_400_000).toISOString();
  for (const message of file.messages) message.createdAt = threeDaysAgo(message.createdAt);
  await writeFile(saved, JSON.stringify(file));

  const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.getByRole('button', { name: 'Import chat', exact: true }).click()]);
  await chooser.setFiles(saved);
  await expect.poll(() => screen.heading.innerText(), UNTIL).toBe(`${question} (imported)`);
  const times = () => screen.log.locator('time').evaluateAll((nodes) => nodes.map((node) => node.getAttribute('datetime')));
  await expect.poll(times, UNTIL).toEqual(file.messages.map((message) => new Date(message.createdAt).toISOString()));
  const shown = new Date(file.messages[0]!.createdAt).toLocaleDateString('en-US', { month: 'short', day: 'numeric' });
  await expect(screen.userMessages.first().locator('time').innerText()).resolves.toContain(shown);
  const picture = screen.userMessages.first().getByRole('img', { name: `red-${tag}.png` });
  await expect.poll(() => picture.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth), UNTIL).toBe(96);
  await expect(screen.userMessages.first().innerText()).resolves.not.toContain('file not imported');
});

it('a message sent in one tab appears, with its reply, in a second tab open on the same chat', async () => {
  const tag = uniqueTag();
  const first = await open('/');
  await sendMessage(first, `Start ${tag}`);
  await waitForIdle(first);
  const id = await conversationIdOf(first);
  const second = await first.context().newPage();
  await second.goto(`/c/${id}`);
  await expect.poll(() => chatScreen(second).userMessages.count(), UNTIL).toBe(1);

  const next = `Sent from the first tab ${tag}`;
  await sendMessage(first, next);
  await expect.poll(() => chatScreen(second).userMessages.last().innerText(), UNTIL).toContain(next);
  await expect.poll(() => replyBody(chatScreen(second).replies.last()).innerText(), UNTIL).toBe(`Echo from gpt-5-mini: ${next}`);
});
