import type { HighlighterCore, LanguageRegistration } from 'shiki/core';

/** One highlighted token: its text and its colour in the light and the dark theme. */
export interface HighlightedToken {
  content: string;
  light?: string;
  dark?: string;
}

type LanguageModule = Promise<{ default: LanguageRegistration[] }>;

// A short list on purpose: each grammar is its own chunk, fetched the first time a closed code
// block in that language appears. Anything else renders as plain monospace text.
const GRAMMARS: Record<string, () => LanguageModule> = {
  typescript: () => import('shiki/langs/typescript.mjs'),
  tsx: () => import('shiki/langs/tsx.mjs'),
  javascript: () => import('shiki/langs/javascript.mjs'),
  jsx: () => import('shiki/langs/jsx.mjs'),
  json: () => import('shiki/langs/json.mjs'),
  bash: () => import('shiki/langs/bash.mjs'),
  python: () => import('shiki/langs/python.mjs'),
  html: () => import('shiki/langs/html.mjs'),
  css: () => import('shiki/langs/css.mjs'),
  sql: () => import('shiki/langs/sql.mjs'),
  yaml: () => import('shiki/langs/yaml.mjs'),
  diff: () => import('shiki/langs/diff.mjs'),
};

const ALIASES: Record<string, string> = {
  ts: 'typescript',
  js: 'javascript',
  mjs: 'javascript',
  cjs: 'javascript',
  sh: 'bash',
  shell: 'bash',
  zsh: 'bash',
  console: 'bash',
  py: 'python',
  yml: 'yaml',
  patch: 'diff',
};

/** The grammar name for a fence's info string, or null when it is not on the list. */
export function resolveLanguage(info: string | undefined): string | null {
  const name = (info ?? '').trim().toLowerCase();
  const resolved = ALIASES[name] ?? name;
  return resolved in GRAMMARS ? resolved : null;
}

/**
 * The code block's backgrounds (CodeBlock: zinc-50 light, zinc-900 dark). GitHub's themes are made
 * for white and #24292e; on these some token colours fall under WCAG AA's 4.5:1 (#d73a49 keywords
 * 4.4, #e36209 parameters 3.3 in light; #6a737d comments 3.7 in dark), so each colour is moved
 * toward the text colour just until it reaches the ratio, keeping its hue.
 */
const BACKGROUNDS = { light: '#fafafa', dark: '#18181b' } as const;
const MIN_CONTRAST = 4.6; // AA's 4.5 with a margin for rounding in the checkers

function channels(hex: string): [number, number, number] | null {
  const match = /^#([0-9a-f]{6})(?:[0-9a-f]{2})?$/i.exec(hex.trim());
  if (!match) return null;
  const value = Number.parseInt(match[1]!, 16);
  return [(value >> 16) & 255, (value >> 8) & 255, value & 255];
}

function luminance([r, g, b]: readonly number[]): number {
  const linear = (c: number) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * linear(r!) + 0.7152 * linear(g!) + 0.0722 * linear(b!);
}

function contrast(a: readonly number[], b: readonly number[]): number {
  const [high, low] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (high + 0.05) / (low + 0.05);
}

const toHex = (rgb: readonly number[]) => `#${rgb.map((c) => Math.round(c).toString(16).padStart(2, '0')).join('')}`;

/** `color` itself when it reads on `background` at AA, else the nearest mix toward black or white that does. */
export function readableOn(color: string | undefined, background: string): string | undefined {
  const fg = color ? channels(color) : null;
  const bg = channels(background);
  if (!fg || !bg || contrast(fg, bg) >= MIN_CONTRAST) return color;
  const target = luminance(bg) > 0.5 ? [0, 0, 0] : [255, 255, 255];
  for (let step = 1; step <= 20; step++) {
    const mixed = fg.map((c, i) => c + (target[i]! - c) * (step / 20));
    if (contrast(mixed, bg) >= MIN_CONTRAST) return toHex(mixed);
  }
  return toHex(target);
}

let highlighter: Promise<HighlighterCore> | null = null;
const loadedLanguages = new Map<string, Promise<void>>();
const cache = new Map<string, HighlightedToken[][]>();
const CACHE_LIMIT = 200;

function getHighlighter(): Promise<HighlighterCore> {
  highlighter ??= Promise.all([import('shiki/core'), import('shiki/engine/javascript')]).then(
    ([{ createHighlighterCore }, { createJavaScriptRegexEngine }]) =>
      createHighlighterCore({
        themes: [import('shiki/themes/github-light.mjs'), import('shiki/themes/github-dark.mjs')],
        langs: [],
        engine: createJavaScriptRegexEngine(),
      }),
  );
  return highlighter;
}

/** Highlights `code` (loading Shiki and the grammar on first use); null for a language not on the list. */
export async function highlightCode(code: string, info: string | undefined): Promise<HighlightedToken[][] | null> {
  const language = resolveLanguage(info);
  const loadGrammar = language ? GRAMMARS[language] : undefined;
  if (!language || !loadGrammar) return null;
  const cacheKey = `${language}\u0000${code}`;
  const cached = cache.get(cacheKey);
  if (cached) return cached;

  const core = await getHighlighter();
  let loading = loadedLanguages.get(language);
  if (!loading) {
    loading = loadGrammar().then((module) => core.loadLanguage(...module.default));
    loadedLanguages.set(language, loading);
  }
  await loading;
  const { tokens } = core.codeToTokens(code, {
    lang: language,
    themes: { light: 'github-light', dark: 'github-dark' },
    defaultColor: false,
  });
  const lines = tokens.map((line) =>
    line.map((token) => ({
      content: token.content,
      light: readableOn(token.htmlStyle?.['--shiki-light'], BACKGROUNDS.light),
      dark: readableOn(token.htmlStyle?.['--shiki-dark'], BACKGROUNDS.dark),
    })),
  );
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value ?? '');
  cache.set(cacheKey, lines);
  return lines;
}

/** Already-highlighted tokens, for a first render without a flash of plain text. */
export function cachedHighlight(code: string, info: string | undefined): HighlightedToken[][] | null {
  const language = resolveLanguage(info);
  return language ? (cache.get(`${language}\u0000${code}`) ?? null) : null;
}
