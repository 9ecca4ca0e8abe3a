import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { HOSTILE_REPLIES } from '../support/hostile-markdown';
import { chatScreen, sendMessage, waitForIdle } from './support/browser';
import { baseUrl, browserPerFile, providers, UNTIL, uniqueTag } from './support/journey';
import { seedConversation } from './support/seed';

// Issue 19, finding 4: replies come from a model that can be steered and imports store assistant
// text of any length. Someone opens a chat holding the replies that stalled or crashed the
// renderer; the page must show them, keep working and scroll smoothly. Issue 19, finding 5: with
// the pages' Content-Security-Policy on, the app still hydrates and highlights code.
const open = browserPerFile();
const REPLIES = HOSTILE_REPLIES.filter((reply) => reply.throughServer !== false);

const ORDINARY = ['A table and some code:', '', '| a | b |', '|---|---|', '| 1 | 2 |', '', '```ts', 'const answer: number = 42;', '```'].join('\n');

/** Page errors and CSP violations from the moment the page loads. */
async function watchForTrouble(page: Page): Promise<{ errors: string[]; violations: () => Promise<string[]> }> {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { cspViolations: string[] }).cspViolations = seen;
    document.addEventListener('securitypolicyviolation', (event) => seen.push(`${event.violatedDirective} ${event.blockedURI} at ${event.sourceFile}:${event.lineNumber}:${event.columnNumber}`));
  });
  return { errors, violations: () => page.evaluate(() => (window as unknown as { cspViolations: string[] }).cspViolations) };
}

/**
 * Scrolls the message log from its top to its bottom a fixed step per animation frame, as a
 * wheel would, and answers the frames' timings. Waits on frames, never on a clock.
 */
function scrollFrames(page: Page, frames: number): Promise<{ fps: number; worstMs: number; p95Ms: number }> {
  return page.getByRole('main').getByRole('log').evaluate(async (log, count) => {
    let scroller: HTMLElement | null = log as HTMLElement;
    while (scroller && !(scroller.scrollHeight > scroller.clientHeight && /auto|scroll/.test(getComputedStyle(scroller).overflowY))) {
      scroller = scroller.parentElement;
    }
    const target = scroller ?? document.scrollingElement!;
    target.scrollTop = 0;
    const step = Math.max(1, (target.scrollHeight - target.clientHeight) / count);
    const stamps: number[] = [];
    await new Promise<void>((done) => {
      const tick = (time: number) => {
        stamps.push(time);
        target.scrollTop += step;
        if (stamps.length > count) done();
        else requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
    });
    const gaps = stamps.slice(1).map((stamp, index) => stamp - stamps[index]!);
    const sorted = [...gaps].sort((a, b) => a - b);
    const total = stamps[stamps.length - 1]! - stamps[0]!;
    return { fps: (gaps.length * 1000) / total, worstMs: sorted[sorted.length - 1]!, p95Ms: sorted[Math.floor(sorted.length * 0.95)]! };
  }, frames);
}

it('a chat holding replies that stalled or crashed the renderer opens, shows them as text and scrolls at about 60 fps', async () => {
  const tag = uniqueTag();
  const seeded = await seedConversation(baseUrl, {
    title: `Hostile replies ${tag}`,
    turns: [
      { user: `Show me something ordinary ${tag}`, assistant: ORDINARY },
      ...REPLIES.map(({ name, text }) => ({ user: `Send ${name}`, assistant: text })),
      { user: 'And the last one?', assistant: `The **last** reply ${tag}.` },
    ],
  });

  const page = await open('/');
  const trouble = await watchForTrouble(page);
  const started = Date.now();
  await page.goto(`/c/${seeded.id}`);
  const screen = chatScreen(page);
  await expect.poll(() => screen.replies.count(), UNTIL).toBe(REPLIES.length + 2);
  await screen.replies.last().getByText(`reply ${tag}.`).waitFor();
  console.info(`[hostile replies] conversation shown in ${Date.now() - started} ms`);

  // Hydrated and interactive under the page's CSP: the ordinary reply is markdown, its code highlighted.
  const ordinary = screen.replies.first();
  await ordinary.scrollIntoViewIfNeeded();
  await ordinary.locator('table').waitFor();
  await ordinary.locator('pre[data-highlighted="true"]').waitFor();
  await expect(screen.input.isEditable()).resolves.toBe(true);

  // Rows render in full (markdown) as they near the screen: the scroll brings each hostile one in.
  const scroll = await scrollFrames(page, 180);
  console.info(`[hostile replies] scroll: ${scroll.fps.toFixed(1)} fps, p95 frame ${scroll.p95Ms.toFixed(1)} ms, worst ${scroll.worstMs.toFixed(1)} ms`);
  // Headless Chromium paces frames at 60 Hz (47.8 to 58.4 fps measured here); a machine shared by
  // several builds drops some, so the bar is below the figure.
  expect(scroll.fps).toBeGreaterThan(40);

  // The hostile replies went around the parser, as plain text, readable.
  await expect.poll(() => page.locator('[data-markdown="plain"]').count(), UNTIL).toBeGreaterThanOrEqual(REPLIES.length);
  // textContent: a row scrolled past is skipped by content-visibility, and innerText reads only what is laid out.
  await expect(screen.replies.nth(3).textContent()).resolves.toContain('deep quote');

  // The chat carries on: a reply streams in under the page's policy.
  await providers.script('openai', { text: `Streamed under the policy ${tag}.` });
  await sendMessage(page, `One more question ${tag}`);
  await waitForIdle(page);
  await expect.poll(() => screen.replies.last().textContent(), UNTIL).toContain(`Streamed under the policy ${tag}.`);

  expect(trouble.errors).toEqual([]);
  // The one refusal expected: zod probes `Function("")` once to choose its JIT parser and, refused,
  // parses without it (a host collecting CSP reports can set `z.config({ jitless: true })`).
  const violations = (await trouble.violations()).filter((violation) => !violation.startsWith('script-src eval '));
  expect(violations).toEqual([]);
});

it('another site cannot frame the chat (clickjacking): the browser refuses and the frame stays empty', async () => {
  const page = await open('/');
  // A page of another origin (the attacker's) with the chat in an almost invisible frame.
  await page.goto('about:blank');
  await page.setContent(`<iframe id="victim" src="${baseUrl}/" width="800" height="600" style="opacity:0.01"></iframe>`);
  const frame = (await (await page.waitForSelector('#victim')).contentFrame())!;
  await frame.waitForLoadState('load');
  // Unframed, the server-rendered chat (its Message box) would be in the frame once loaded.
  await expect(frame.getByRole('textbox', { name: 'Message', exact: true }).count()).resolves.toBe(0);
  await expect(frame.locator('main').count()).resolves.toBe(0);
});
