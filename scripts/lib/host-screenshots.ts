import path from 'node:path';
import { axeViolations, describeViolations, isSerious } from '../../tests/e2e/support/axe';
import { launchBrowser } from '../../tests/e2e/support/browser';
import { PROOF_WAIT_MS } from './fresh-app-server';
import { StepFailure } from './run-steps';

/** What the proof saw of the chat in the host app, per theme. */
export interface HostLook {
  theme: 'light' | 'dark';
  screenshot: string;
  /** The user's bubble, and the host's `--primary` resolved the same way: they must match. */
  bubble: string;
  hostPrimary: string;
  axeViolations: number;
}

/**
 * In Chromium: sends `message` through the chat as a person would, waits for `reply`, then takes a
 * screenshot and runs axe in the host's light theme, flips the host's class-based toggle (as
 * next-themes does) and does both again in dark. Fails on a serious axe finding or when the
 * user's bubble is not the host's primary colour.
 */
export async function chatInHostThemes(base: string, message: string, reply: string, screenshotDir: string): Promise<HostLook[]> {
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 }, colorScheme: 'light' });
    page.setDefaultTimeout(PROOF_WAIT_MS);
    page.setDefaultNavigationTimeout(PROOF_WAIT_MS);
    await page.goto(base);
    const input = page.getByRole('textbox', { name: 'Message', exact: true });
    await input.fill(message);
    await input.press('Enter');
    const answer = page.getByRole('article', { name: 'Assistant said' }).filter({ hasText: reply.split(' ').slice(-3).join(' ') });
    await answer.waitFor();
    await page.locator('[aria-busy="false"]').last().waitFor();
    await page.getByRole('button', { name: /^Send( message)?$/ }).waitFor();

    const looks: HostLook[] = [];
    for (const theme of ['light', 'dark'] as const) {
      if (theme === 'dark') {
        await page.getByRole('button', { name: 'Toggle theme' }).click();
        await page.locator('html.dark').waitFor();
      }
      await page.mouse.move(0, 0);
      const screenshot = path.join(screenshotDir, `shadcn-host-${theme}.png`);
      await page.screenshot({ path: screenshot });
      const colours = await page.evaluate(() => {
        const said = document.querySelector('article[aria-label="You said"]');
        const bubble = [...(said?.querySelectorAll('*') ?? [])].find((el) => getComputedStyle(el).backgroundColor !== 'rgba(0, 0, 0, 0)');
        const probe = document.body.appendChild(document.createElement('div'));
        probe.style.backgroundColor = 'var(--primary)';
        const hostPrimary = getComputedStyle(probe).backgroundColor;
        probe.remove();
        return { bubble: bubble ? getComputedStyle(bubble).backgroundColor : 'none', hostPrimary };
      });
      const violations = await axeViolations(page);
      const serious = violations.filter(isSerious);
      if (serious.length > 0) throw new StepFailure(`axe: ${serious.length} serious violation(s) in the host's ${theme} theme`, describeViolations(serious));
      if (colours.bubble !== colours.hostPrimary) {
        throw new StepFailure(`the user's bubble is ${colours.bubble}, not the host's primary ${colours.hostPrimary} (${theme})`);
      }
      looks.push({ theme, screenshot, ...colours, axeViolations: violations.length });
    }
    return looks;
  } finally {
    await browser.close();
  }
}
