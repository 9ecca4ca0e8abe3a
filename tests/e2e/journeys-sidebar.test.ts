import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { axeViolations, describeViolations, isSerious } from './support/axe';
import { chatScreen, conversationIdOf, replyBody, sendMessage, VIEWPORT_NAMES, waitForIdle, type ViewportName } from './support/browser';
import { baseUrl, browserPerFile, lane, UNTIL, uniqueTag } from './support/journey';
import { seedConversation } from './support/seed';
import { chatList } from './support/sidebar';

// Issue 20: titles a model writes, an organised sidebar (pin, archive, restore), the theme
// setting, the keyboard shortcuts and Continue, as a person takes them: laptop and phone, light
// and dark, axe clean.
const open = browserPerFile();
const titledApp = lane.titledBaseUrl;
const SCHEMES = ['light', 'dark'] as const;

/** The menu item of a chat's options menu, by its name. */
async function chooseFromMenu(page: Page, viewport: ViewportName, title: string, item: string): Promise<void> {
  const list = chatList(page, viewport);
  const scope = await list.open();
  await list.optionsButton(scope, title).click();
  await page.getByRole('menu').getByRole('menuitem', { name: item, exact: true }).click();
}

async function expectAxeClean(page: Page, where: string): Promise<void> {
  const serious = (await axeViolations(page)).filter(isSerious);
  expect(serious.length, `${where}: serious or critical violations:\n${describeViolations(serious)}`).toBe(0);
}

describe.each(VIEWPORT_NAMES.flatMap((viewport) => SCHEMES.map((colorScheme) => ({ viewport, colorScheme }))))(
  'on a $viewport, $colorScheme',
  ({ viewport, colorScheme }) => {
    it('a title written by a model appears after the first reply, survives a reload, and never replaces a rename', async () => {
      const tag = uniqueTag();
      const question = `How do tides work ${tag}`;
      const page = await open('/', viewport, { app: titledApp, colorScheme });
      const list = chatList(page, viewport);
      await sendMessage(page, question);
      await waitForIdle(page);
      await conversationIdOf(page);

      // Live: the list shows the model's title without a reload.
      const modelTitle = `Named ${question}`;
      await expect.poll(() => list.titles(), UNTIL).toContain(modelTitle);
      await list.close();
      await expect.poll(() => chatScreen(page).heading.innerText(), UNTIL).toBe(modelTitle);
      await page.reload();
      await expect.poll(() => list.titles(), UNTIL).toContain(modelTitle);
      await expectAxeClean(page, 'the list with a model title');

      const renamed = `Tides ${tag}`;
      await list.rename(modelTitle, renamed);
      await expect.poll(() => list.titles(), UNTIL).toContain(renamed);
      await list.close();
      await sendMessage(page, `And the moon ${tag}?`);
      await waitForIdle(page);
      await page.reload();
      await expect.poll(() => list.titles(), UNTIL).toContain(renamed);
      expect(await list.titles()).not.toContain(modelTitle);
    });

    it('pins a chat under Pinned, archives one into the Archived view, and restores it', async () => {
      const tag = uniqueTag();
      const older = await seedConversation(baseUrl, { title: `Older ${tag}`, turns: [{ user: `Old question ${tag}`, assistant: 'Old answer.' }] });
      const newer = await seedConversation(baseUrl, { title: `Newer ${tag}`, turns: [{ user: `New question ${tag}`, assistant: 'New answer.' }] });
      const page = await open('/', viewport, { colorScheme });
      const list = chatList(page, viewport);
      await expect.poll(() => list.titles(), UNTIL).toContain(older.title);

      await chooseFromMenu(page, viewport, older.title, 'Pin');
      const scope = await list.open();
      const pinned = scope.getByRole('region', { name: 'Pinned' });
      await expect.poll(() => pinned.getByRole('button', { name: `Options for ${older.title}` }).count(), UNTIL).toBe(1);
      await expect.poll(async () => (await list.titles())[0], UNTIL).toBe(older.title);
      await expectAxeClean(page, 'the list with a pinned chat');

      await chooseFromMenu(page, viewport, newer.title, 'Archive');
      await expect.poll(() => list.titles(), UNTIL).not.toContain(newer.title);
      await page.reload();
      await expect.poll(() => list.titles(), UNTIL).toContain(older.title);
      expect(await list.titles()).not.toContain(newer.title);

      const view = await list.open();
      await view.getByRole('button', { name: 'Archived chats', exact: true }).click();
      await expect.poll(() => list.titles(), UNTIL).toContain(newer.title);
      expect(await list.titles()).not.toContain(older.title);
      await expectAxeClean(page, 'the Archived view');
      await chooseFromMenu(page, viewport, newer.title, 'Restore');
      await expect.poll(() => list.titles(), UNTIL).not.toContain(newer.title);
      await (await list.open()).getByRole('button', { name: 'Back to chats', exact: true }).click();
      await expect.poll(() => list.titles(), UNTIL).toContain(newer.title);

      await chooseFromMenu(page, viewport, older.title, 'Unpin');
      await expect.poll(() => pinned.count(), UNTIL).toBe(0);
    });

    it('the theme setting switches light and dark at once, is kept after a reload, and follows the system', async () => {
      const page = await open('/', viewport, { colorScheme });
      // Dark is what the page paints: its background (the theme token), whichever way it was chosen.
      const isDark = () =>
        page.evaluate(() => {
          const [r = 255, g = 255, b = 255] = (getComputedStyle(document.body).backgroundColor.match(/[\d.]+/g) ?? []).map(Number);
          return r + g + b < 300;
        });
      await chatScreen(page).input.waitFor();
      expect(await isDark()).toBe(colorScheme === 'dark');

      const other = colorScheme === 'dark' ? 'Light' : 'Dark';
      await page.getByRole('button', { name: 'Settings', exact: true }).click();
      const settings = page.getByRole('dialog', { name: 'Settings' });
      await settings.getByRole('radio', { name: 'System' }).waitFor();
      expect(await settings.getByRole('radio', { name: 'System' }).isChecked()).toBe(true);
      await expectAxeClean(page, 'the Settings dialog');
      await settings.getByText(other, { exact: true }).click();
      expect(await isDark()).toBe(other === 'Dark');
      await page.keyboard.press('Escape');
      await settings.waitFor({ state: 'hidden' });

      // Before React runs: the inline script set it, so the page never flashes the other theme.
      await page.reload({ waitUntil: 'commit' });
      await page.waitForFunction(() => document.body !== null);
      expect(await page.evaluate(() => document.documentElement.className)).toContain(other.toLowerCase());
      expect(await isDark()).toBe(other === 'Dark');
      await chatScreen(page).input.waitFor();
      await expectAxeClean(page, `the chat in ${other.toLowerCase()}`);

      await page.getByRole('button', { name: 'Settings', exact: true }).click();
      await settings.getByText('System', { exact: true }).click();
      expect(await isDark()).toBe(colorScheme === 'dark');
    });
  },
);

describe.each(VIEWPORT_NAMES)('keyboard, on a %s', (viewport) => {
  it('Ctrl+/ lists the shortcuts, Esc closes it; Ctrl+K opens search; Ctrl+Shift+O starts a new chat; letters typed in the box stay in it', async () => {
    const tag = uniqueTag();
    const page = await open('/', viewport);
    const screen = chatScreen(page);
    await sendMessage(page, `Shortcut chat ${tag}`);
    await waitForIdle(page);
    await conversationIdOf(page);

    await screen.input.focus();
    await page.keyboard.press('Control+/');
    const shortcuts = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
    await shortcuts.waitFor();
    expect(await shortcuts.innerText()).toContain('New chat');
    await expectAxeClean(page, 'the shortcuts dialog');
    await page.keyboard.press('Escape');
    await shortcuts.waitFor({ state: 'hidden' });

    await page.keyboard.press('Control+k');
    const search = page.getByRole('dialog', { name: 'Search chats' });
    await search.waitFor();
    // With words typed: one Esc closes the search (a search field's own Esc would only clear it).
    await page.keyboard.type('anything');
    await page.keyboard.press('Escape');
    await search.waitFor({ state: 'hidden' });

    // Plain keys in the box are the person's: "/", "k" and "o" are typed, not taken.
    await screen.input.focus();
    await page.keyboard.type('k/o');
    expect(await screen.input.inputValue()).toBe('k/o');
    await screen.input.fill('');

    await page.keyboard.press('Control+Shift+O');
    await expect.poll(() => new URL(page.url()).pathname, UNTIL).toBe('/');
    await expect.poll(() => screen.userMessages.count(), UNTIL).toBe(0);
  });

  it('ArrowUp in the empty message box edits the last message; not when the box has text', async () => {
    const tag = uniqueTag();
    const page = await open('/', viewport);
    const screen = chatScreen(page);
    await sendMessage(page, `First words ${tag}`);
    await waitForIdle(page);

    await screen.input.fill('draft');
    await screen.input.press('ArrowUp');
    expect(await page.getByRole('textbox', { name: /edit/i }).count()).toBe(0);
    await screen.input.fill('');
    await screen.input.press('ArrowUp');
    const editor = page.getByRole('textbox', { name: /edit/i });
    await editor.waitFor();
    expect(await editor.inputValue()).toBe(`First words ${tag}`);
    await editor.press('Escape');
    await editor.waitFor({ state: 'detached' });
  });
});

describe.each(VIEWPORT_NAMES)('Continue, on a %s', (viewport) => {
  it('a stopped reply has Continue, which carries the same reply on; a reload shows it whole', async () => {
    const tag = uniqueTag();
    const page = await open('/', viewport);
    const screen = chatScreen(page);
    await sendMessage(page, `[slow] [long] Tell me a long story ${tag}`);
    await expect.poll(() => replyBody(screen.replies.last()).innerText(), UNTIL).toContain('word5');
    await screen.stop.click();
    await waitForIdle(page);
    const stoppedText = await replyBody(screen.replies.last()).innerText();

    await screen.replies.last().getByRole('button', { name: 'Continue', exact: true }).click();
    await waitForIdle(page);
    await expect.poll(() => screen.replies.count(), UNTIL).toBe(1);
    await expect.poll(() => replyBody(screen.replies.last()).innerText(), UNTIL).toContain('Continue your previous reply');
    expect(await replyBody(screen.replies.last()).innerText()).toContain(stoppedText.slice(0, 40));
    expect(await screen.replies.last().getByRole('button', { name: 'Continue', exact: true }).count()).toBe(0);

    await page.reload();
    await expect.poll(() => screen.replies.count(), UNTIL).toBe(1);
    await expect.poll(() => replyBody(screen.replies.last()).innerText(), UNTIL).toContain('Continue your previous reply');
    await expectAxeClean(page, 'a continued reply');
  });
});
