import { describe, expect, it } from 'vitest';
import { highlightCode, readableOn } from '@/features/ai-chat/components/highlight-code';

function luminance(hex: string): number {
  const value = Number.parseInt(hex.slice(1, 7), 16);
  const linear = (c: number) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * linear((value >> 16) & 255) + 0.7152 * linear((value >> 8) & 255) + 0.0722 * linear(value & 255);
}
const contrast = (a: string, b: string) => {
  const [high, low] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (high + 0.05) / (low + 0.05);
};

const SAMPLE = `// a comment
export function debounce<A extends unknown[]>(fn: (...args: A) => void, ms = 250) {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const label = \`wait \${ms} ms\`;
  return (...args: A) => { clearTimeout(timer); timer = setTimeout(() => fn(...args), ms); };
}`;

describe('highlightCode', () => {
  it('every token colour reads at WCAG AA (4.5:1) on the code block, light and dark', async () => {
    const lines = await highlightCode(SAMPLE, 'ts');
    const tokens = lines!.flat().filter((token) => token.content.trim() !== '');
    expect(tokens.length).toBeGreaterThan(20);
    for (const token of tokens) {
      expect(contrast(token.light!, '#fafafa'), `${token.content} ${token.light}`).toBeGreaterThanOrEqual(4.5);
      expect(contrast(token.dark!, '#18181b'), `${token.content} ${token.dark}`).toBeGreaterThanOrEqual(4.5);
    }
  });

  it('leaves colours that already read alone, and darkens GitHub-light red just enough', () => {
    expect(readableOn('#24292e', '#fafafa')).toBe('#24292e');
    const red = readableOn('#d73a49', '#fafafa')!;
    expect(red).not.toBe('#d73a49');
    expect(contrast(red, '#fafafa')).toBeGreaterThanOrEqual(4.5);
    expect(contrast(red, '#fafafa')).toBeLessThan(6);
  });
});
