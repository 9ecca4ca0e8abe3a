import axe from 'axe-core';
import type { Page } from 'playwright-core';

/** WCAG 2.2 level AA, as axe-core tags it (2.0, 2.1 and 2.2 rules at levels A and AA). */
export const WCAG_22_AA = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] as const;

export interface AxeViolation {
  rule: string;
  impact: string;
  help: string;
  nodes: { target: string; html: string; summary: string }[];
}

/** Runs axe-core inside the page (injected from the npm package) and answers every violation. */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  await page.addScriptTag({ content: axe.source });
  return page.evaluate(async (tags) => {
    const run = (window as unknown as { axe: typeof axe }).axe.run;
    const results = await run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
    return results.violations.map((violation) => ({
      rule: violation.id,
      impact: violation.impact ?? 'unknown',
      help: violation.help,
      nodes: violation.nodes.map((node) => ({
        target: node.target.map(String).join(' '),
        html: node.html.slice(0, 160),
        summary: (node.failureSummary ?? '').replace(/\s+/g, ' ').slice(0, 240),
      })),
    }));
  }, [...WCAG_22_AA]);
}

/** The violations a person with a screen reader or low vision is blocked by. */
export const isSerious = (violation: AxeViolation) => violation.impact === 'serious' || violation.impact === 'critical';

/** One readable block per violation: rule, impact, what it means, each element and why. */
export function describeViolations(violations: readonly AxeViolation[]): string {
  return violations
    .map((violation) =>
      [
        `${violation.rule} (${violation.impact}): ${violation.help}`,
        ...violation.nodes.map((node) => `  - ${node.target}\n    ${node.html}\n    ${node.summary}`),
      ].join('\n'),
    )
    .join('\n');
}
