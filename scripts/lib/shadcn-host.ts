import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * A fresh create-next-app app after `npx shadcn init` (issue 18 §2, §3): components.json, the
 * theme tokens `shadcn init` writes into app/globals.css (its neutral base colour, here with a
 * violet primary, a larger radius and a serif font so the host's look is unmistakable), and a
 * class-based dark mode as next-themes does it: a class on <html> and a toggle that flips it.
 */

const LIGHT = {
  radius: '0.75rem',
  background: 'oklch(1 0 0)',
  foreground: 'oklch(0.145 0 0)',
  card: 'oklch(1 0 0)',
  'card-foreground': 'oklch(0.145 0 0)',
  popover: 'oklch(1 0 0)',
  'popover-foreground': 'oklch(0.145 0 0)',
  primary: 'oklch(0.541 0.281 293.009)',
  'primary-foreground': 'oklch(0.969 0.016 293.756)',
  secondary: 'oklch(0.97 0 0)',
  'secondary-foreground': 'oklch(0.205 0 0)',
  muted: 'oklch(0.97 0 0)',
  'muted-foreground': 'oklch(0.556 0 0)',
  accent: 'oklch(0.97 0 0)',
  'accent-foreground': 'oklch(0.205 0 0)',
  destructive: 'oklch(0.577 0.245 27.325)',
  border: 'oklch(0.922 0 0)',
  input: 'oklch(0.922 0 0)',
  ring: 'oklch(0.541 0.281 293.009)',
};
const DARK = {
  background: 'oklch(0.145 0 0)',
  foreground: 'oklch(0.985 0 0)',
  card: 'oklch(0.205 0 0)',
  'card-foreground': 'oklch(0.985 0 0)',
  popover: 'oklch(0.205 0 0)',
  'popover-foreground': 'oklch(0.985 0 0)',
  primary: 'oklch(0.811 0.111 293.571)',
  'primary-foreground': 'oklch(0.283 0.141 291.089)',
  secondary: 'oklch(0.269 0 0)',
  'secondary-foreground': 'oklch(0.985 0 0)',
  muted: 'oklch(0.269 0 0)',
  'muted-foreground': 'oklch(0.708 0 0)',
  accent: 'oklch(0.269 0 0)',
  'accent-foreground': 'oklch(0.985 0 0)',
  destructive: 'oklch(0.704 0.191 22.216)',
  border: 'oklch(1 0 0 / 10%)',
  input: 'oklch(1 0 0 / 15%)',
  ring: 'oklch(0.811 0.111 293.571)',
};

const block = (selector: string, vars: Record<string, string>) =>
  `${selector} {\n${Object.entries(vars).map(([name, value]) => `  --${name}: ${value};`).join('\n')}\n}\n`;
const COLOR_NAMES = Object.keys(DARK);

/** app/globals.css as `shadcn init` leaves it (Tailwind v4, CSS variables), with the host's palette. */
export const HOST_GLOBALS_CSS = [
  '@import "tailwindcss";',
  '',
  '@custom-variant dark (&:is(.dark *));',
  '',
  '@theme inline {',
  ...COLOR_NAMES.map((name) => `  --color-${name}: var(--${name});`),
  '  --radius-sm: calc(var(--radius) - 4px);',
  '  --radius-md: calc(var(--radius) - 2px);',
  '  --radius-lg: var(--radius);',
  '  --radius-xl: calc(var(--radius) + 4px);',
  '  --font-sans: ui-serif, Georgia, Cambria, "Times New Roman", serif;',
  '}',
  '',
  block(':root', LIGHT),
  block('.dark', DARK),
  '@layer base {',
  '  * {',
  '    @apply border-border outline-ring/50;',
  '  }',
  '  body {',
  '    @apply bg-background text-foreground;',
  '  }',
  '}',
  '',
].join('\n');

/** The base colour file the CLI reads from REGISTRY_URL (colors/neutral.json), made from the host's tokens. */
export const BASE_COLOR_JSON = {
  inlineColors: { light: { background: 'white', foreground: 'neutral-950' }, dark: { background: 'neutral-950', foreground: 'neutral-50' } },
  cssVars: { light: LIGHT, dark: DARK },
  cssVarsV4: { light: LIGHT, dark: DARK },
  inlineColorsTemplate: '',
  cssVarsTemplate: '',
};

const COMPONENTS_JSON = {
  $schema: 'https://ui.shadcn.com/schema.json',
  style: 'new-york',
  rsc: true,
  tsx: true,
  tailwind: { config: '', css: 'app/globals.css', baseColor: 'neutral', cssVariables: true, prefix: '' },
  iconLibrary: 'lucide',
  aliases: { components: '@/components', utils: '@/lib/utils', ui: '@/components/ui', lib: '@/lib', hooks: '@/hooks' },
};

const LAYOUT = `import type { Metadata } from 'next';
import { ThemeToggle } from '@/components/theme-toggle';
import './globals.css';

export const metadata: Metadata = { title: 'shadcn add proof' };

export default function RootLayout({ children }: Readonly<{ children: React.ReactNode }>) {
  return (
    <html lang="en" className="light" suppressHydrationWarning>
      <body className="antialiased">
        <ThemeToggle />
        {children}
      </body>
    </html>
  );
}
`;

// What next-themes does for attribute="class": the theme's name as the class on <html>.
const THEME_TOGGLE = `'use client';

export function ThemeToggle() {
  return (
    <button
      type="button"
      className="fixed bottom-2 left-2 z-50 rounded-md border bg-background px-2 py-1 text-sm text-foreground"
      onClick={() => {
        const root = document.documentElement;
        const dark = root.classList.contains('dark');
        root.classList.replace(dark ? 'dark' : 'light', dark ? 'light' : 'dark');
      }}
    >
      Toggle theme
    </button>
  );
}
`;

/** Turns the fresh app into a shadcn/ui app: components.json, the theme, the class-based toggle. */
export async function writeShadcnHost(app: string): Promise<void> {
  const files: Record<string, string> = {
    'components.json': `${JSON.stringify(COMPONENTS_JSON, null, 2)}\n`,
    'app/globals.css': HOST_GLOBALS_CSS,
    'app/layout.tsx': LAYOUT,
    'components/theme-toggle.tsx': THEME_TOGGLE,
  };
  for (const [name, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(app, name)), { recursive: true });
    await writeFile(path.join(app, name), text);
  }
}

/** README: the one line `shadcn add` cannot do, keeping PGlite out of the server bundle. */
export async function addServerExternalPackages(app: string): Promise<void> {
  const file = path.join(app, 'next.config.ts');
  const config = await readFile(file, 'utf8');
  await writeFile(file, config.replace('/* config options here */', "serverExternalPackages: ['@electric-sql/pglite'],"));
}
