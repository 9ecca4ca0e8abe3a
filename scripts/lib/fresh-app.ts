import { cp, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { StepFailure } from './run-steps';

type Versions = Record<string, string>;

/** The versions pinned by the ai-chat repo's package.json (dependencies and devDependencies). */
export async function pinnedVersions(repo: string): Promise<Versions> {
  const manifest = JSON.parse(await readFile(path.join(repo, 'package.json'), 'utf8')) as {
    dependencies?: Versions;
    devDependencies?: Versions;
  };
  return { ...manifest.devDependencies, ...manifest.dependencies };
}

/** `name@version` from the repo's pins; a package the repo does not pin is an error, not a guess. */
export function pin(name: string, versions: Versions): string {
  const version = versions[name];
  if (!version) throw new StepFailure(`"${name}" is not in the ai-chat package.json, so its version cannot be pinned.`);
  return `${name}@${version}`;
}

/** What a fresh App Router app with TypeScript and Tailwind v4 starts with, before the module. */
const BASE_DEPENDENCIES = ['next', 'react', 'react-dom'];
const BASE_DEV_DEPENDENCIES = ['typescript', '@types/node', '@types/react', '@types/react-dom', 'tailwindcss', '@tailwindcss/postcss'];

/** The `target` in create-next-app's tsconfig (16.x templates). */
export const CREATE_NEXT_APP_TS_TARGET = 'ES2017';

/**
 * Writes a minimal fresh Next.js app (the files create-next-app would write for TypeScript, the App
 * Router and Tailwind v4, with its default tsconfig), not yet touched by the README's steps.
 */
export async function writeFreshApp(dir: string, versions: Versions, tsTarget = CREATE_NEXT_APP_TS_TARGET): Promise<void> {
  const deps = (names: string[]) => Object.fromEntries(names.map((name) => [name, pin(name, versions).slice(name.length + 1)]));
  const files: Record<string, string> = {
    'package.json': JSON.stringify(
      {
        name: 'drop-in-proof-app',
        version: '0.1.0',
        private: true,
        scripts: { dev: 'next dev', build: 'next build', start: 'next start' },
        dependencies: deps(BASE_DEPENDENCIES),
        devDependencies: deps(BASE_DEV_DEPENDENCIES),
      },
      null,
      2,
    ),
    // create-next-app's tsconfig, unchanged: the module must build under the defaults a user has.
    'tsconfig.json': JSON.stringify(
      {
        compilerOptions: {
          target: tsTarget,
          lib: ['dom', 'dom.iterable', 'esnext'],
          allowJs: true,
          skipLibCheck: true,
          strict: true,
          noEmit: true,
          esModuleInterop: true,
          module: 'esnext',
          moduleResolution: 'bundler',
          resolveJsonModule: true,
          isolatedModules: true,
          jsx: 'react-jsx',
          incremental: true,
          plugins: [{ name: 'next' }],
          paths: { '@/*': ['./*'] },
        },
        include: ['next-env.d.ts', '**/*.ts', '**/*.tsx', '.next/types/**/*.ts', '.next/dev/types/**/*.ts', '**/*.mts'],
        exclude: ['node_modules'],
      },
      null,
      2,
    ),
    'next.config.ts': [
      "import type { NextConfig } from 'next';",
      '',
      'const nextConfig: NextConfig = {',
      '  /* config options here */',
      '};',
      '',
      'export default nextConfig;',
      '',
    ].join('\n'),
    'postcss.config.mjs': "const config = {\n  plugins: { '@tailwindcss/postcss': {} },\n};\n\nexport default config;\n",
    'app/globals.css': "@import 'tailwindcss';\n",
    'app/layout.tsx': [
      "import type { Metadata } from 'next';",
      "import './globals.css';",
      '',
      "export const metadata: Metadata = { title: 'Drop-in proof' };",
      '',
      'export default function RootLayout({ children }: Readonly<{ children: React.ReactNode }>) {',
      '  return (',
      '    <html lang="en">',
      '      <body className="antialiased">{children}</body>',
      '    </html>',
      '  );',
      '}',
      '',
    ].join('\n'),
    'app/page.tsx': 'export default function Home() {\n  return <main>Hello</main>;\n}\n',
  };
  for (const [name, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await writeFile(path.join(dir, name), text);
  }
}

/** Step 1: copies exactly the paths the README lists, keeping them. */
export async function copyReadmePaths(repo: string, app: string, paths: readonly string[]): Promise<void> {
  for (const listed of paths) {
    for (const item of await expandPattern(repo, listed)) {
      const from = path.join(repo, item);
      await mkdir(path.dirname(path.join(app, item)), { recursive: true });
      try {
        await cp(from, path.join(app, item), { recursive: true, errorOnExist: false });
      } catch (error) {
        throw new StepFailure(`README step 1 lists ${item}, which cannot be copied: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }
}

/** A listed path as itself, or a `*` pattern in its last part as the files it names (at least one). */
async function expandPattern(repo: string, listed: string): Promise<string[]> {
  const name = path.posix.basename(listed.replace(/\/$/, ''));
  if (!name.includes('*')) return [listed];
  const folder = path.posix.dirname(listed);
  const pattern = new RegExp(`^${name.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
  const matches = (await readdir(path.join(repo, folder))).filter((entry) => pattern.test(entry)).sort();
  if (matches.length === 0) throw new StepFailure(`README step 1 lists ${listed}, which names no file.`);
  return matches.map((entry) => path.posix.join(folder, entry));
}

/**
 * Step 3: the README's snippet becomes the app's config. The snippet is an object literal assigned
 * to `nextConfig`; it replaces the fresh app's empty one, keeping the type annotation.
 */
export async function applyNextConfig(app: string, snippet: string): Promise<void> {
  const literal = /const nextConfig(?::\s*NextConfig)?\s*=\s*(\{[\s\S]*\});?/.exec(snippet)?.[1];
  if (!literal) throw new StepFailure(`README step 3: cannot read the config object from:\n${snippet}`);
  const file = path.join(app, 'next.config.ts');
  const current = await readFile(file, 'utf8');
  await writeFile(file, current.replace(/const nextConfig: NextConfig = \{[\s\S]*?\};/, `const nextConfig: NextConfig = ${literal};`));
}

/** Step 4: the README's global CSS line (the chat's stylesheet import), after the Tailwind import. */
export async function applyTailwindSource(app: string, line: string): Promise<void> {
  const file = path.join(app, 'app/globals.css');
  await writeFile(file, `${await readFile(file, 'utf8')}${line.endsWith(';') ? line : `${line};`}\n`);
}

/** Step 5: the README's page, as the app's home page. */
export async function applyPage(app: string, page: string): Promise<void> {
  await writeFile(path.join(app, 'app/page.tsx'), page.endsWith('\n') ? page : `${page}\n`);
}
