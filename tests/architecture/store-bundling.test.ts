import path from 'node:path';
import { build, type Metafile } from 'esbuild';
import { describe, expect, it } from 'vitest';

/**
 * A store is loaded only where chosen. Bundled as Next bundles a route (ESM, code split at
 * dynamic imports): importing the server's front door loads no store driver, and each store's
 * factory loads a chunk holding its own driver and no other. (Bundlers still emit every store's
 * chunk, so all three drivers must be installed for a build; see docs/stores.md.)
 */

const root = path.resolve(__dirname, '../..');
const DRIVERS = { postgres: 'node_modules/pg/', embedded: 'node_modules/@electric-sql/pglite/', supabase: 'node_modules/@supabase/' } as const;
type StoreName = keyof typeof DRIVERS;

async function bundle(entry: string): Promise<Metafile> {
  const result = await build({
    stdin: { contents: entry, resolveDir: root, loader: 'ts' },
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    outdir: path.join(root, '.next-bundling-test'),
    write: false,
    metafile: true,
    logLevel: 'silent',
    alias: { '@': root },
    // Not drivers: left out so the bundle stays quick. `server-only` is Next's marker package.
    external: ['server-only', 'next', 'next/*', 'react', 'react-dom', 'openai', '@anthropic-ai/sdk', 'pdf-lib', 'zod'],
  });
  return result.metafile!;
}

/** The inputs of an output chunk and of every chunk it imports statically. */
function staticallyFrom(meta: Metafile, start: string): string[] {
  const seen = new Set<string>();
  const inputs = new Set<string>();
  const walk = (name: string) => {
    if (seen.has(name)) return;
    seen.add(name);
    const output = meta.outputs[name]!;
    for (const input of Object.keys(output.inputs)) inputs.add(input);
    for (const imported of output.imports) if (imported.kind === 'import-statement' && !imported.external && meta.outputs[imported.path]) walk(imported.path);
  };
  walk(start);
  return [...inputs];
}

/** The inputs of the entry chunk (what loads with the import) and of every chunk (what may load later). */
function inputsOf(meta: Metafile): { atImport: string[]; anywhere: string[] } {
  const outputs = Object.values(meta.outputs);
  const entry = outputs.find((output) => output.entryPoint !== undefined)!;
  const staticallyReached = new Set<string>();
  const walk = (output: (typeof outputs)[number]) => {
    for (const input of Object.keys(output.inputs)) staticallyReached.add(input);
    for (const imported of output.imports) {
      if (imported.kind !== 'import-statement' || imported.external) continue;
      const next = meta.outputs[imported.path];
      if (next) walk(next);
    }
  };
  walk(entry);
  return { atImport: [...staticallyReached], anywhere: outputs.flatMap((output) => Object.keys(output.inputs)) };
}

const driversIn = (inputs: readonly string[]) =>
  (Object.keys(DRIVERS) as StoreName[]).filter((store) => inputs.some((input) => input.includes(DRIVERS[store])));

describe('store bundling', () => {
  it('importing the server front door loads no store driver', async () => {
    const meta = await bundle(`export * from './features/ai-chat/server';`);
    expect(driversIn(inputsOf(meta).atImport)).toEqual([]);
  }, 60_000);

  it.each(['postgres', 'embedded', 'supabase'] as const)('the %s factory loads a chunk with its own driver and no other', async (store) => {
    const factory = { postgres: 'createPostgresChatStore', embedded: 'createEmbeddedChatStore', supabase: 'createSupabaseChatStore' }[store];
    const storeModule = { postgres: 'store/postgres/postgres-chat-store.ts', embedded: 'store/embedded/embedded-chat-store.ts', supabase: 'store/supabase/supabase-chat-store.ts' }[store];
    const meta = await bundle(`import { ${factory} } from './features/ai-chat/server'; export const store = ${factory}({} as never);`);
    expect(driversIn(inputsOf(meta).atImport)).toEqual([]);
    // The chunk the factory's dynamic import names, with what it imports statically.
    const chunk = Object.entries(meta.outputs).find(([, output]) => Object.keys(output.inputs).some((input) => input.endsWith(storeModule)));
    expect(chunk).toBeDefined();
    expect(driversIn(staticallyFrom(meta, chunk![0]))).toEqual([store]);
  }, 60_000);
});
