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
      light: token.htmlStyle?.['--shiki-light'],
      dark: token.htmlStyle?.['--shiki-dark'],
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
