import { describe, expect, it } from 'vitest';
import { axeViolations, describeViolations, isSerious } from './support/axe';
import { chatScreen, isInView, replyBody, sendMessage, VIEWPORT_NAMES, waitForIdle } from './support/browser';
import { baseUrl, providers, UNTIL, uniqueTag, browserPerFile } from './support/journey';
import { numberedTurns, seedConversation } from './support/seed';

// Journeys through reading and writing in a chat: the model it is held on, long text, scrolling,
// what a reply may load (issue 9: item 4 and "wrong or clumsy today").
const open = browserPerFile();

it('a chat held on Claude reopens on Claude, its next message goes to Claude, and each reply names its model', async () => {
  const tag = uniqueTag();
  const first = await open('/');
  await chatScreen(first).modelPicker.selectOption('anthropic:claude-haiku-5-5');
  await providers.script('anthropic', { text: `A first plain answer ${tag}.` });
  await sendMessage(first, `Which model are you ${tag}?`);
  await waitForIdle(first);
  await first.waitForURL(/\/c\/[^/]+$/);
  const path = new URL(first.url()).pathname;

  // Someone opens the chat again later, in a fresh tab.
  const page = await open(path);
  const screen = chatScreen(page);
  await expect.poll(() => screen.replies.count(), UNTIL).toBe(1);
  const shownModel = () =>
    screen.modelPicker.evaluate((select: HTMLSelectElement) => `${select.value} ${select.selectedOptions[0]?.textContent ?? ''}`);
  await expect.poll(shownModel, UNTIL).toContain('claude-haiku-5-5');

  const question = `And what about now ${tag}?`;
  await providers.script('anthropic', { text: `A second plain answer ${tag}.` });
  await sendMessage(page, question);
  await waitForIdle(page);
  await expect(providers.requests('anthropic')).resolves.toContainEqual({ model: 'claude-haiku-5-5', text: question, tools: [] });
  expect((await providers.requests('openai')).map((request) => request.text)).not.toContain(question);
  // The reply texts name no model, so the name comes from the replies' footers.
  for (const reply of await screen.replies.all()) await expect(reply.innerText()).resolves.toContain('claude-haiku-5-5');
});

describe.each(VIEWPORT_NAMES)('on a %s', (viewport) => {
  it('a 100,000-character paste is flagged before sending with Send disabled; a long message is collapsed with "Show more"', async () => {
    const tag = uniqueTag();
    const page = await open('/', viewport);
    const screen = chatScreen(page);
    await screen.input.fill('a'.repeat(100_000));
    await expect.poll(() => screen.main.innerText(), UNTIL).toContain('Your message is 100,000 characters; the limit is 32,000.');
    await expect(screen.send.isDisabled()).resolves.toBe(true);

    const lines = Array.from({ length: 120 }, (_, index) => `Line ${index + 1} of a long paste ${tag}, with some words to fill it.`);
    await screen.input.fill(lines.join('\n'));
    await expect(screen.send.isDisabled()).resolves.toBe(false);
    // A short answer: the echo of 120 lines is 1,400 words, whose streaming (7 s at the fake's
    // pace, more on a busy machine) is not what this journey is about.
    await providers.script('openai', { text: `Noted ${tag}.` });
    await screen.send.click();
    await waitForIdle(page);

    const question = screen.userMessages.last();
    const more = question.getByRole('button', { name: 'Show more', exact: true });
    await more.waitFor();
    // The collapsed message clips its last lines: line 120 is not drawn where it can be seen.
    expect(await isInView(question, `Line 120 of a long paste ${tag}`)).toBe(false);
    expect(await isInView(question, `Line 1 of a long paste ${tag}`)).toBe(true);
    await more.click();
    await question.getByRole('button', { name: 'Show less', exact: true }).waitFor();
    await question.getByText(`Line 120 of a long paste ${tag}`).scrollIntoViewIfNeeded();
    expect(await isInView(question.getByText(`Line 120 of a long paste ${tag}`))).toBe(true);
  });
});

it('sending while scrolled up brings the new message into view', async () => {
  const tag = uniqueTag();
  const seeded = await seedConversation(baseUrl, { title: `Long read ${tag}`, turns: numberedTurns(30, tag) });
  const page = await open(`/c/${seeded.id}`);
  const screen = chatScreen(page);
  await expect.poll(() => screen.userMessages.count(), UNTIL).toBe(30);

  // Scroll back up with the wheel, as someone rereading the start would.
  await screen.log.hover();
  const firstQuestion = screen.userMessages.first();
  await expect
    .poll(async () => {
      await page.mouse.wheel(0, -4_000);
      return isInView(firstQuestion);
    }, UNTIL)
    .toBe(true);

  const question = `One more thing ${tag}`;
  await sendMessage(page, question);
  await expect.poll(() => screen.userMessages.count(), UNTIL).toBe(31);
  await expect.poll(() => isInView(screen.userMessages.last()), { ...UNTIL, message: 'the message just sent is on screen' }).toBe(true);
  await waitForIdle(page);
  await expect.poll(() => isInView(screen.replies.last()), UNTIL).toBe(true);
});

it('a remote image in a reply is not fetched: it shows as a link to its address', async () => {
  const tag = uniqueTag();
  const url = 'https://example.invalid/?q=secret';
  await providers.script('openai', { text: `Here is the chart ${tag}:\n\n![x](${url})\n\nDone.` });
  const page = await open('/');
  const screen = chatScreen(page);
  const leaked: string[] = [];
  page.on('request', (request) => {
    if (new URL(request.url()).hostname === 'example.invalid') leaked.push(request.url());
  });
  await sendMessage(page, `Draw me a chart ${tag}`);
  await waitForIdle(page);
  // Time for a lazy or late image load to show up.
  await page.waitForTimeout(500);
  expect(leaked).toEqual([]);
  const link = screen.replies.last().getByRole('link', { name: 'Image: x' });
  await expect(link.getAttribute('href')).resolves.toBe(url);
  // No <img> element at all (icons are inline SVG): nothing that could load later either.
  await expect(screen.replies.last().locator('img').count()).resolves.toBe(0);
});

it('a 60-turn conversation in dark mode opens at its end, reads without contrast failures, and scrolls back to its start', async () => {
  const tag = uniqueTag();
  const seeded = await seedConversation(baseUrl, { title: `Sixty turns ${tag}`, turns: numberedTurns(60, tag) });
  const page = await open(`/c/${seeded.id}`, 'desktop', { colorScheme: 'dark' });
  const screen = chatScreen(page);
  await expect.poll(() => screen.userMessages.count(), UNTIL).toBe(60);
  await expect.poll(() => isInView(screen.replies.last()), UNTIL).toBe(true);
  await expect(replyBody(screen.replies.last()).innerText()).resolves.toContain(`${tag} answer 60.`);

  // The page's background, painted onto a canvas to read it as RGB whatever the CSS colour syntax.
  const background = await page.evaluate(() => {
    const context = document.createElement('canvas').getContext('2d')!;
    context.fillStyle = getComputedStyle(document.body).backgroundColor;
    context.fillRect(0, 0, 1, 1);
    return [...context.getImageData(0, 0, 1, 1).data.slice(0, 3)];
  });
  expect(Math.max(...background)).toBeLessThan(60);
  const serious = (await axeViolations(page)).filter(isSerious);
  expect(serious.length, `serious or critical violations:\n${describeViolations(serious)}`).toBe(0);

  await screen.log.hover();
  await expect
    .poll(async () => {
      await page.mouse.wheel(0, -6_000);
      return isInView(screen.userMessages.first());
    }, UNTIL)
    .toBe(true);
  // A row skipped by content-visibility has no rendered text until the frame after it scrolls in.
  await expect.poll(() => screen.userMessages.first().innerText(), UNTIL).toContain(`${tag} question 1`);
  expect(await isInView(screen.replies.last())).toBe(false);
});
