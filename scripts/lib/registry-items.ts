import { existsSync, statSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import path from 'node:path';
import ts from 'typescript';

/**
 * registry.json (issue 18 §2), generated from the tree so a moved or added file is picked up:
 * `npm run registry:build` writes it and runs `shadcn build`; tests/architecture/registry.test.ts
 * fails when the committed file is stale. Files land where the README's manual steps put them.
 */

export const MODULE = 'features/ai-chat';
const ROUTES = 'app/api/chat';
const MIGRATIONS = 'supabase/migrations';
const LOCAL_SQL = 'supabase/local';
const THEME_CSS = `${MODULE}/styles/ai-chat.css`;
const SOURCE = /\.(ts|tsx)$/;
const RESOLVE_SUFFIXES = ['', '.ts', '.tsx', '/index.ts', '/index.tsx'];

export interface RegistryFile {
  path: string;
  type: 'registry:lib' | 'registry:page' | 'registry:file';
  target: string;
}

export interface RegistryItem {
  name: string;
  type: 'registry:block';
  title: string;
  description: string;
  dependencies: string[];
  devDependencies?: string[];
  files: RegistryFile[];
  cssVars?: { light: Record<string, string>; dark: Record<string, string> };
  css?: Record<string, Record<string, never>>;
  envVars?: Record<string, string>;
  docs?: string;
}

export interface Registry {
  $schema: string;
  name: string;
  homepage: string;
  items: RegistryItem[];
}

/** Every file under `dir` (relative to `root`, forward slashes), sorted. */
async function filesUnder(root: string, dir: string, keep: (file: string) => boolean = () => true): Promise<string[]> {
  const entries = await readdir(path.join(root, dir), { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(root, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'))
    .filter(keep)
    .sort();
}

/**
 * How the shadcn CLI should treat a file. A file that imports through the `@/` alias (the routes)
 * is a `registry:page`/`registry:lib`, so the CLI rewrites the alias to the app's; every other
 * file is a `registry:file`, written byte for byte (the CLI's code transforms would drop a file's
 * leading comment, and the module reaches its own files by relative imports only). The target is
 * the path the README's manual copy uses; the CLI puts it under `src/` in an app that has one,
 * except `~/` (the project root), which the migrations need: the embedded store reads them there.
 */
function fileEntry(file: string, aliased: ReadonlySet<string>): RegistryFile {
  if (file.startsWith('supabase/')) return { path: file, type: 'registry:file', target: `~/${file}` };
  if (!aliased.has(file)) return { path: file, type: 'registry:file', target: file };
  return { path: file, type: file.startsWith('app/') ? 'registry:page' : 'registry:lib', target: file };
}

/** The files among `files` that import through the `@/` alias. */
async function aliasImporters(root: string, files: string[]): Promise<Set<string>> {
  const found = new Set<string>();
  for (const file of files.filter((name) => SOURCE.test(name))) {
    if (specifiersOf(await readFile(path.join(root, file), 'utf8')).some((specifier) => specifier.startsWith('@/'))) found.add(file);
  }
  return found;
}

/** The import specifiers of a TypeScript file (static, dynamic, re-exports). */
function specifiersOf(source: string): string[] {
  return ts.preProcessFile(source, true, true).importedFiles.map((file) => file.fileName);
}

function resolveLocal(root: string, from: string, specifier: string): string | undefined {
  const base = specifier.startsWith('@/') ? path.join(root, specifier.slice(2)) : path.resolve(root, path.dirname(from), specifier);
  for (const suffix of RESOLVE_SUFFIXES) {
    const candidate = base + suffix;
    if (existsSync(candidate) && statSync(candidate).isFile()) return path.relative(root, candidate).split(path.sep).join('/');
  }
  return undefined;
}

const packageOf = (specifier: string) => specifier.split('/').slice(0, specifier.startsWith('@') ? 2 : 1).join('/');
const isBuiltin = (specifier: string) => specifier.startsWith('node:') || builtinModules.includes(packageOf(specifier));

/** The files `entries` reach through local imports, and the npm packages they import. */
async function closure(root: string, entries: string[]): Promise<{ files: string[]; packages: Set<string> }> {
  const seen = new Set<string>();
  const packages = new Set<string>();
  const queue = [...entries];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    if (!SOURCE.test(file)) continue;
    for (const specifier of specifiersOf(await readFile(path.join(root, file), 'utf8'))) {
      if (specifier.startsWith('.') || specifier.startsWith('@/')) {
        const local = resolveLocal(root, file, specifier);
        if (!local) throw new Error(`${file}: cannot resolve '${specifier}'`);
        queue.push(local);
      } else if (!isBuiltin(specifier)) {
        packages.add(packageOf(specifier));
      }
    }
  }
  return { files: [...seen].sort(), packages };
}

/** `name@version` from the repo's package.json, so an install gets what the tests ran against. */
function pinned(packages: Iterable<string>, versions: Record<string, string>): string[] {
  // Next and React come with the app; a package's types come with it except pg's.
  const fromApp = new Set(['next', 'react', 'react-dom']);
  return [...packages]
    .filter((name) => !fromApp.has(name))
    .sort()
    .map((name) => {
      const version = versions[name];
      if (!version) throw new Error(`the module imports '${name}', which package.json does not list`);
      return `${name}@${version}`;
    });
}

/** The module's default tokens, read from its stylesheet (the `:where(:root)` and `:where(.dark)` blocks). */
export function themeDefaults(css: string): { light: Record<string, string>; dark: Record<string, string> } {
  const block = (selector: string) => {
    const at = css.indexOf(`${selector} {`);
    if (at < 0) throw new Error(`${THEME_CSS}: no \`${selector}\` block`);
    const body = css.slice(at, css.indexOf('}', at));
    return Object.fromEntries([...body.matchAll(/--([\w-]+):\s*([^;]+);/g)].map((match) => [match[1]!, match[2]!.trim()]));
  };
  return { light: block(':where(:root)'), dark: block(':where(.dark)') };
}

/** Environment variables the install adds to `.env.local`: empty keys (the app then says which to set) and the model lists. */
const ENV_VARS = {
  OPENAI_API_KEY: '',
  ANTHROPIC_API_KEY: '',
  DEFAULT_AI_PROVIDER: 'openai',
  AI_CHAT_OPENAI_MODELS: 'gpt-5-mini,gpt-5.4,gpt-5-nano,gpt-4.1-mini',
  AI_CHAT_ANTHROPIC_MODELS: 'claude-sonnet-5-5,claude-haiku-5-5,claude-opus-5-5',
};

const CSS_IMPORT = { [`@import "../${THEME_CSS}"`]: {} as Record<string, never> };

const NEXT_CONFIG_DOC =
  "One more step: keep PGlite out of the server bundle in next.config.ts: serverExternalPackages: ['@electric-sql/pglite']. " +
  'Then mount <ChatInterface /> from @/features/ai-chat (README: "Put it in your app", step 5).';

/** registry.json as the tree is now. */
export async function buildRegistry(root: string): Promise<Registry> {
  const pkg = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8')) as {
    dependencies: Record<string, string>;
    devDependencies: Record<string, string>;
    homepage?: string;
  };
  const versions = { ...pkg.devDependencies, ...pkg.dependencies };
  const routes = await filesUnder(root, ROUTES, (file) => SOURCE.test(file));
  const sql = [...(await filesUnder(root, MIGRATIONS, (file) => /_ai_chat[^/]*\.sql$/.test(file))), ...(await filesUnder(root, LOCAL_SQL, (file) => file.endsWith('.sql')))];
  const moduleFiles = await filesUnder(root, MODULE);
  const theme = themeDefaults(await readFile(path.join(root, THEME_CSS), 'utf8'));

  const everything = await closure(root, [...routes, ...moduleFiles]);
  const server = await closure(root, [...routes, `${MODULE}/server.ts`]);
  const ui = await closure(root, [`${MODULE}/index.ts`]);
  const aliased = await aliasImporters(root, everything.files);
  const entries = (files: string[]) => files.map((file) => fileEntry(file, aliased));
  const devFor = (packages: Set<string>) => (packages.has('pg') ? pinned(['@types/pg'], versions) : []);

  return {
    $schema: 'https://ui.shadcn.com/schema/registry.json',
    name: 'ai-chat',
    // Where the registry is served; package.json's "homepage" when a deployment sets one.
    homepage: pkg.homepage ?? 'https://your-ai-chat-deployment.example',
    items: [
      {
        name: 'ai-chat',
        type: 'registry:block',
        title: 'AI chat',
        description:
          'The whole module: chat UI, hooks, the streaming handler (OpenAI, Anthropic), Postgres storage under RLS (Supabase, any PostgreSQL, embedded PGlite), the /api/chat routes and the SQL migrations.',
        dependencies: pinned(everything.packages, versions),
        devDependencies: devFor(everything.packages),
        files: entries([...moduleFiles, ...routes, ...sql]),
        cssVars: theme,
        css: CSS_IMPORT,
        envVars: ENV_VARS,
        docs: NEXT_CONFIG_DOC,
      },
      {
        name: 'ai-chat-server',
        type: 'registry:block',
        title: 'AI chat server',
        description:
          "The server alone, for AI SDK front ends (useChat, AI Elements, assistant-ui): the /api/chat routes, the handler, the stores and the SQL migrations, without the module's UI.",
        dependencies: pinned(server.packages, versions),
        devDependencies: devFor(server.packages),
        files: entries([...server.files, ...sql]),
        envVars: ENV_VARS,
        docs: NEXT_CONFIG_DOC,
      },
      {
        name: 'ai-chat-ui',
        type: 'registry:block',
        title: 'AI chat UI',
        description:
          "The chat UI and hooks (ChatInterface, useChat, …) with the theme defaults, for an app that already runs the ai-chat server (for instance from ai-chat-server) at /api/chat.",
        dependencies: pinned(ui.packages, versions),
        files: entries([...ui.files, THEME_CSS]),
        cssVars: theme,
        css: CSS_IMPORT,
      },
    ],
  };
}

/** The file as `npm run registry:build` writes it. */
export const registryJson = (registry: Registry) => `${JSON.stringify(registry, null, 2)}\n`;
