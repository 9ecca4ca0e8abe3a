import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations, describeViolations, isSerious, type AxeViolation } from './support/axe';
import { chatScreen, VIEWPORT_NAMES } from './support/browser';
import { CODE_AND_TABLE } from './support/replies';
import { baseUrl, browserPerFile } from './support/journey';
import { seedConversation } from './support/seed';

// axe-core's WCAG 2.2 AA rules in the page, on the two screens a person sees first: an empty
// chat and a chat with a reply holding a highlighted code block and a table; light and dark,
// laptop and phone (issue 9: "Text contrast fails WCAG AA in places").
const open = browserPerFile();


let replyPath = '';
const found: string[] = [];

beforeAll(async () => {
  const seeded = await seedConversation(baseUrl, {
    title: 'Debounce or throttle',
    turns: [{ user: 'How do I debounce a search box in TypeScript?', assistant: CODE_AND_TABLE }],
  });
  replyPath = `/c/${seeded.id}`;
});

afterAll(() => {
  // Every violation, serious or not, for the record (the assertion below is on serious ones).
  if (found.length > 0) console.log(`axe-core violations found:\n${found.join('\n')}`);
});

const SCREENS = [
  { screen: 'the empty chat', path: () => '/' },
  { screen: 'a chat with a code block and a table', path: () => replyPath },
] as const;
const CASES = VIEWPORT_NAMES.flatMap((viewport) =>
  (['light', 'dark'] as const).flatMap((colorScheme) => SCREENS.map(({ screen, path }) => ({ viewport, colorScheme, screen, path }))),
);

describe('axe-core, WCAG 2.2 AA', () => {
  it.each(CASES)('$screen, $colorScheme, on a $viewport: no serious or critical violation', async ({ viewport, colorScheme, path }) => {
    const page = await open(path(), viewport, { colorScheme });
    const screen = chatScreen(page);
    await screen.input.waitFor();
    if (path() === replyPath) {
      await screen.replies.first().getByRole('table').waitFor();
      await page.locator('pre[data-highlighted="true"]').waitFor();
    }
    await page.waitForLoadState('networkidle');
    await page.mouse.move(0, 0);

    const violations: AxeViolation[] = await axeViolations(page);
    if (violations.length > 0) found.push(`## ${path()} ${colorScheme} ${viewport}\n${describeViolations(violations)}`);
    const serious = violations.filter(isSerious);
    expect(serious.length, `serious or critical violations:\n${describeViolations(serious)}`).toBe(0);
  });
});
