import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { axeViolations, describeViolations, isSerious } from './support/axe';
import { chatScreen } from './support/browser';
import { baseUrl, browserPerFile } from './support/journey';
import { CODE_AND_TABLE } from './support/replies';
import { seedConversation } from './support/seed';

// Issue 18 §3: the chat looks like the app it is in. It draws with shadcn's theme tokens, so an
// app's own `--primary`, `--radius` and surfaces show in it, and it follows the app's class-based
// dark mode (next-themes, shadcn's toggle) as well as the system preference.
const open = browserPerFile();

/** A host app's theme as `shadcn init` writes it (a violet palette, square corners). */
const HOST_THEME = `
  :root { --radius: 0rem; --background: #fffdf7; --foreground: #1c1917; --primary: #6d28d9; --primary-foreground: #ffffff;
          --muted: #f5f5f4; --muted-foreground: #57534e; --accent: #ede9fe; --accent-foreground: #1c1917; --border: #d6d3d1;
          --input: #a8a29e; --ring: #6d28d9; --card: #ffffff; --card-foreground: #1c1917; --popover: #ffffff; --popover-foreground: #1c1917; }
  .dark { --background: #1c1917; --foreground: #fafaf9; --primary: #c4b5fd; --primary-foreground: #1c1917; --muted: #292524;
          --muted-foreground: #a8a29e; --accent: #3b0764; --accent-foreground: #fafaf9; --border: #44403c; --input: #57534e;
          --card: #292524; --card-foreground: #fafaf9; --popover: #292524; --popover-foreground: #fafaf9; }`;

let replyPath = '';
beforeAll(async () => {
  const seeded = await seedConversation(baseUrl, {
    title: 'Theme check',
    turns: [{ user: 'Show me a debounce', assistant: CODE_AND_TABLE }],
  });
  replyPath = `/c/${seeded.id}`;
});

/** The page with the seeded chat, its code block highlighted; `rootClass` set as a theme toggle would. */
async function openChat(colorScheme: 'light' | 'dark', rootClass?: 'light' | 'dark', css?: string): Promise<Page> {
  const page = await open(replyPath, 'desktop', { colorScheme });
  if (css) await page.addStyleTag({ content: css });
  if (rootClass) await page.evaluate((name) => document.documentElement.classList.add(name), rootClass);
  const screen = chatScreen(page);
  await screen.replies.first().getByRole('table').waitFor();
  await page.locator('pre[data-highlighted="true"]').waitFor();
  await page.mouse.move(0, 0);
  return page;
}

/** The colours a person sees: the chat's surface, the user's bubble (and its corners), the code block. */
function looks(page: Page) {
  return page.evaluate(() => {
    const painted = (element: Element | null): Element | null => {
      for (let at = element; at; at = at.parentElement) if (getComputedStyle(at).backgroundColor !== 'rgba(0, 0, 0, 0)') return at;
      return null;
    };
    const log = document.querySelector('[role="log"]');
    const said = document.querySelector('[role="log"] article[aria-label="You said"]');
    const bubble = [...(said?.querySelectorAll('*') ?? [])].find((el) => getComputedStyle(el).backgroundColor !== 'rgba(0, 0, 0, 0)');
    const code = painted(document.querySelector('pre[data-highlighted="true"]'));
    return {
      surface: getComputedStyle(painted(log)!).backgroundColor,
      bubble: bubble ? getComputedStyle(bubble).backgroundColor : 'none',
      bubbleText: bubble ? getComputedStyle(bubble).color : 'none',
      bubbleRadius: bubble ? getComputedStyle(bubble).borderTopLeftRadius : 'none',
      code: code ? getComputedStyle(code).backgroundColor : 'none',
    };
  });
}

async function expectAxeClean(page: Page): Promise<void> {
  const serious = (await axeViolations(page)).filter(isSerious);
  expect(serious.length, `serious or critical violations:\n${describeViolations(serious)}`).toBe(0);
}

describe('the chat looks like the app it is in', () => {
  it("takes the host app's theme tokens: its primary colour on the user's bubble, its radius and surface; axe stays clean", async () => {
    const page = await openChat('light', undefined, HOST_THEME);
    const seen = await looks(page);
    expect(seen).toMatchObject({ surface: 'rgb(255, 253, 247)', bubble: 'rgb(109, 40, 217)', bubbleText: 'rgb(255, 255, 255)', bubbleRadius: '0px' });
    await expectAxeClean(page);
  });

  it("follows the host's class-based dark mode, with the host's dark tokens; axe stays clean", async () => {
    const page = await openChat('light', 'dark', HOST_THEME);
    expect(await looks(page)).toMatchObject({ surface: 'rgb(28, 25, 23)', bubble: 'rgb(196, 181, 253)', code: 'rgb(24, 24, 27)' });
    await expectAxeClean(page);
  });

  it('with no host tokens, a `.dark` class turns the defaults dark under a light system preference, and `.light` keeps them light under a dark one', async () => {
    const dark = await openChat('light', 'dark');
    expect(await looks(dark)).toMatchObject({ surface: 'rgb(9, 9, 11)', code: 'rgb(24, 24, 27)' });
    await expectAxeClean(dark);
    const light = await openChat('dark', 'light');
    expect(await looks(light)).toMatchObject({ surface: 'rgb(255, 255, 255)', code: 'rgb(250, 250, 250)' });
    await expectAxeClean(light);
  });

  it('with no class on the root, the defaults follow the system preference', async () => {
    const page = await openChat('dark');
    expect(await looks(page)).toMatchObject({ surface: 'rgb(9, 9, 11)', code: 'rgb(24, 24, 27)' });
    await expectAxeClean(page);
  });
});
