import { expect, it } from 'vitest';
import { chatScreen, replyBody, sendMessage, waitForIdle } from './support/browser';
import { baseUrl, UNTIL, uniqueTag, browserPerFile } from './support/journey';
import { seedConversation } from './support/seed';
import { chatList } from './support/sidebar';

// The keyboard-only and screen-reader journey (issue 9: "Keyboard and screen readers").
const open = browserPerFile();

it('keyboard only: a skip link first, focus in the input on opening a chat, Esc from anywhere stops a reply, headings and titles name the chat', async () => {
  const tag = uniqueTag();
  const seeded = await seedConversation(baseUrl, {
    title: `Keyboard chat ${tag}`,
    turns: [{ user: `Teach me shortcuts ${tag}`, assistant: 'Tab moves forward, Shift+Tab back.' }],
  });
  const page = await open('/');
  const screen = chatScreen(page);
  const focused = (locator: typeof screen.input) => locator.evaluate((element) => element === document.activeElement).catch(() => false);
  // On arrival the cursor goes to the message box once the models have loaded; wait for that, or
  // it would land there in the middle of the Tab below.
  await expect.poll(() => focused(screen.input), { ...UNTIL, message: 'on arrival focus is in the input' }).toBe(true);

  // From the top of the page (as on arrival), the first Tab lands on the skip link.
  await page.evaluate(() => {
    document.body.setAttribute('tabindex', '-1');
    document.body.focus();
    document.body.removeAttribute('tabindex');
  });
  await page.keyboard.press('Tab');
  const skip = page.getByRole('link', { name: 'Skip to message input' });
  await expect.poll(() => focused(skip), { ...UNTIL, message: 'the first Tab focuses "Skip to message input"' }).toBe(true);
  await page.keyboard.press('Enter');
  await expect.poll(() => focused(screen.input), { ...UNTIL, message: 'the skip link moves focus to the input' }).toBe(true);

  await expect(screen.heading.innerText()).resolves.toBe('New chat');
  await expect(page.getByRole('heading', { level: 2, name: 'Chats' }).count()).resolves.toBe(1);
  expect(await page.title()).toBe('AI Chat');

  // Opening a chat from the list puts the cursor in its message box.
  await chatList(page, 'desktop').select(seeded.title);
  await page.waitForURL(`**/c/${seeded.id}`);
  await expect.poll(() => screen.userMessages.count(), UNTIL).toBe(1);
  await expect.poll(() => focused(screen.input), { ...UNTIL, message: 'opening a chat puts focus in the input' }).toBe(true);
  await expect.poll(() => screen.heading.innerText(), UNTIL).toBe(seeded.title);
  await expect.poll(() => page.title(), UNTIL).toBe(`${seeded.title} · AI Chat`);

  // Esc stops a reply wherever focus is: here, after a click on the page's heading.
  await sendMessage(page, `[slow] [long] Keep talking ${tag}`);
  await expect.poll(() => replyBody(screen.replies.last()).innerText(), UNTIL).toContain('word5');
  await screen.heading.click();
  expect(await focused(screen.input)).toBe(false);
  await page.keyboard.press('Escape');
  await waitForIdle(page);
  await expect(screen.replies.last().innerText()).resolves.toContain('Stopped');
  expect(await replyBody(screen.replies.last()).innerText()).not.toContain('word399');
});
