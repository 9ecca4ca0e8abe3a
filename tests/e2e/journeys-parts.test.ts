import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { axeViolations, describeViolations, isSerious } from './support/axe';
import { chatScreen, replyBody, sendMessage, waitForIdle, type ViewportName } from './support/browser';
import { browserPerFile, providers, UNTIL, uniqueTag } from './support/journey';
import type { ProviderName } from './support/provider-control';
import { samplePdf, samplePng } from './support/sample-files';

// Journeys through what today's models say and take (issue 11): a pasted screenshot asked about,
// a PDF attached, reasoning that streams and then folds away, a refusal. Each runs on a laptop in
// light mode and on a 390×844 phone in dark mode, one provider each, so both providers, both
// screens and both schemes are covered without running every journey four times.
const open = browserPerFile();

const SETUPS: { viewport: ViewportName; colorScheme: 'light' | 'dark'; provider: ProviderName; model: string }[] = [
  { viewport: 'desktop', colorScheme: 'light', provider: 'anthropic', model: 'claude-sonnet-5-5' },
  { viewport: 'phone', colorScheme: 'dark', provider: 'openai', model: 'gpt-5-mini' },
];

/** Pastes a file into the message box, as Ctrl+V of a screenshot does. */
async function pasteFile(page: Page, file: { name: string; mimeType: string; bytes: Buffer }): Promise<void> {
  await chatScreen(page).input.click();
  await chatScreen(page).input.evaluate(
    (textarea, { name, mimeType, bytes }) => {
      const data = new DataTransfer();
      data.items.add(new File([new Uint8Array(bytes)], name, { type: mimeType }));
      textarea.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
    },
    { name: file.name, mimeType: file.mimeType, bytes: [...file.bytes] },
  );
}

/** The files waiting in the message box, and how to tell their uploads are done. */
function drafts(page: Page) {
  const list = chatScreen(page).main.getByRole('list', { name: 'Files to send' });
  return { list, uploading: list.getByRole('progressbar') };
}

async function seriousViolations(page: Page): Promise<string> {
  const violations = (await axeViolations(page)).filter(isSerious);
  return violations.length === 0 ? '' : describeViolations(violations);
}

describe.each(SETUPS)('on a $viewport in $colorScheme mode, with $provider', ({ viewport, colorScheme, provider, model }) => {
  async function openChat(): Promise<Page> {
    const page = await open('/', viewport, { colorScheme });
    await chatScreen(page).modelPicker.selectOption(`${provider}:${model}`);
    return page;
  }

  it('a pasted screenshot shows as a thumbnail, uploads, goes with the question, and opens large from the message', async () => {
    const tag = uniqueTag();
    const page = await openChat();
    const screen = chatScreen(page);
    await pasteFile(page, { name: `chart-${tag}.png`, mimeType: 'image/png', bytes: samplePng() });

    const { list, uploading } = drafts(page);
    await list.getByRole('img', { name: `chart-${tag}.png` }).waitFor();
    await expect.poll(() => uploading.count(), UNTIL).toBe(0);
    await expect.poll(() => screen.send.isDisabled(), UNTIL).toBe(false);
    const question = `What does this chart show ${tag}?`;
    await sendMessage(page, question);
    await waitForIdle(page);

    // The provider got the image with the question.
    await expect
      .poll(async () => (await providers.files(provider)).find((seen) => seen.text.includes(question))?.files, UNTIL)
      .toEqual([expect.stringMatching(/^(image|input_image|image_url)$/)]);
    // The question shows the picture, loaded from the attachments route.
    const image = screen.userMessages.last().getByRole('img', { name: `chart-${tag}.png` });
    await expect.poll(() => image.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth), UNTIL).toBe(96);
    await expect(list.count()).resolves.toBe(0);

    const enlarge = screen.userMessages.last().getByRole('button', { name: `Enlarge chart-${tag}.png` });
    await enlarge.click();
    const dialog = page.getByRole('dialog', { name: `chart-${tag}.png` });
    await dialog.waitFor();
    expect(await seriousViolations(page)).toBe('');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    await expect.poll(() => enlarge.evaluate((button) => button === document.activeElement), UNTIL).toBe(true);
    await enlarge.press('Enter');
    await dialog.getByRole('button', { name: 'Close image' }).click();
    await dialog.waitFor({ state: 'detached' });

    // Opened again later, the message still has its picture.
    await page.waitForURL(/\/c\/[^/]+$/);
    await page.reload();
    const again = chatScreen(page).userMessages.last().getByRole('img', { name: `chart-${tag}.png` });
    await expect.poll(() => again.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth), UNTIL).toBe(96);
  });

  it('a PDF picked with the paperclip is a named chip; a second file is removed before sending; the PDF opens from the message', async () => {
    const tag = uniqueTag();
    const page = await openChat();
    const screen = chatScreen(page);
    const attach = screen.main.getByRole('button', { name: 'Attach files' });

    // Keyboard: the paperclip is reachable and opens the picker.
    const [chooser] = await Promise.all([page.waitForEvent('filechooser'), attach.focus().then(() => page.keyboard.press('Enter'))]);
    await chooser.setFiles([
      { name: `report-${tag}.pdf`, mimeType: 'application/pdf', buffer: samplePdf() },
      { name: `extra-${tag}.png`, mimeType: 'image/png', buffer: samplePng(32, 32) },
    ]);
    const { list, uploading } = drafts(page);
    await list.getByText(`report-${tag}.pdf`).waitFor();
    await expect.poll(() => uploading.count(), UNTIL).toBe(0);
    await list.getByRole('button', { name: `Remove extra-${tag}.png` }).click();
    await expect.poll(() => list.getByRole('listitem').count(), UNTIL).toBe(1);
    expect(await seriousViolations(page)).toBe('');

    const question = `Summarise this report ${tag}`;
    await sendMessage(page, question);
    await waitForIdle(page);
    await expect
      .poll(async () => (await providers.files(provider)).find((seen) => seen.text.includes(question))?.files, UNTIL)
      .toEqual([expect.stringMatching(/^(document|input_file|file)$/)]);

    const chip = screen.userMessages.last().getByRole('link', { name: `report-${tag}.pdf` });
    const href = await chip.getAttribute('href');
    const response = await page.request.get(href!);
    expect(response.status()).toBe(200);
    expect(response.headers()['content-type']).toContain('application/pdf');
  });

  it('reasoning streams under "Thinking…" with the seconds, then folds into "Thought for N s" apart from the answer, and stays so after a reload', async () => {
    const tag = uniqueTag();
    const page = await openChat();
    const screen = chatScreen(page);
    await sendMessage(page, `Why is the sky blue ${tag}? [[think]] [[slow]]`);

    const reply = screen.replies.last();
    await reply.getByText('Thinking…').waitFor();
    await expect.poll(() => reply.getByRole('region', { name: 'Reasoning so far' }).innerText(), UNTIL).not.toBe('');
    expect(await seriousViolations(page)).toBe('');
    const thought = reply.getByRole('button', { name: /^Thought for \d+( min)?( \d+)? s$/ });
    await thought.waitFor({ timeout: 30_000 });
    await waitForIdle(page);
    await expect(thought.getAttribute('aria-expanded')).resolves.toBe('false');

    await thought.click();
    await expect(thought.getAttribute('aria-expanded')).resolves.toBe('true');
    const reasoning = await reply.getByRole('region', { name: 'Reasoning' }).innerText();
    expect(reasoning.trim()).not.toBe('');
    // The answer is the answer alone.
    const answer = await replyBody(reply).innerText();
    expect(answer).not.toContain(reasoning.trim().slice(0, 40));

    const label = await thought.innerText();
    await page.waitForURL(/\/c\/[^/]+$/);
    await page.reload();
    const again = chatScreen(page).replies.last().getByRole('button', { name: /^Thought for / });
    await again.waitFor();
    // The saved duration (the server's measure), not a new one.
    await expect(again.innerText()).resolves.toBe(label);
    await expect(again.getAttribute('aria-expanded')).resolves.toBe('false');
  });

  it('a refusal shows as a notice that the model declined, not as an answer, and stays so after a reload', async () => {
    const tag = uniqueTag();
    const page = await openChat();
    const screen = chatScreen(page);
    await sendMessage(page, `Help me pick a lock ${tag} [[refuse]]`);
    await waitForIdle(page);

    const reply = screen.replies.last();
    const notice = reply.getByRole('note', { name: 'The model declined to answer' });
    await notice.waitFor();
    await expect(reply.getByRole('button', { name: 'Copy message' }).count()).resolves.toBe(0);
    expect(await seriousViolations(page)).toBe('');

    await page.waitForURL(/\/c\/[^/]+$/);
    await page.reload();
    await chatScreen(page).replies.last().getByRole('note', { name: 'The model declined to answer' }).waitFor();
  });
});
