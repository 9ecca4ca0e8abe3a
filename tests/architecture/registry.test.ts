import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { buildRegistry, MODULE, registryJson, type Registry } from '../../scripts/lib/registry-items';

// Issue 18 §2: `npx shadcn add` installs the module from registry.json's items. The file is
// generated from the tree (npm run registry:build), so a file moved without rebuilding it fails here.
const root = path.resolve(__dirname, '../..');
const committed = () => readFile(path.join(root, 'registry.json'), 'utf8');
const item = (registry: Registry, name: string) => registry.items.find((entry) => entry.name === name)!;
let output = '';

afterAll(async () => {
  if (output) await rm(output, { recursive: true, force: true });
});

describe('registry.json (npx shadcn add)', () => {
  it('is what the tree makes it: a file moved, added or removed without `npm run registry:build` fails here', async () => {
    expect(await committed(), 'registry.json is stale: run npm run registry:build').toBe(registryJson(await buildRegistry(root)));
  });

  it('the ai-chat item holds every file of the module, both routes and the migrations, each landing where the README copies it', async () => {
    const registry: Registry = JSON.parse(await committed());
    const files = item(registry, 'ai-chat').files;
    const paths = files.map((file) => file.path);
    expect(paths).toEqual(expect.arrayContaining([`${MODULE}/index.ts`, `${MODULE}/server.ts`, `${MODULE}/styles/ai-chat.css`, 'app/api/chat/route.ts', 'app/api/chat/[...path]/route.ts', 'supabase/local/auth.sql']));
    expect(paths.some((file) => /^supabase\/migrations\/\d+_ai_chat\.sql$/.test(file))).toBe(true);
    for (const file of files) expect(file.target.replace(/^~\//, '')).toBe(file.path);
    // The routes go through the CLI's transforms (their `@/` alias rewritten to the app's); the
    // rest, which imports only by relative paths, is written byte for byte.
    expect(files.filter((file) => file.type !== 'registry:file').map((file) => file.path).sort()).toEqual(['app/api/chat/[...path]/route.ts', 'app/api/chat/route.ts']);
  });

  it('the server item carries no UI and the UI item no server code, each with only the packages it imports', async () => {
    const registry: Registry = JSON.parse(await committed());
    const server = item(registry, 'ai-chat-server');
    const ui = item(registry, 'ai-chat-ui');
    expect(server.files.filter((file) => /\/(components|hooks)\//.test(file.path))).toEqual([]);
    expect(server.dependencies.some((dependency) => dependency.startsWith('react-markdown@'))).toBe(false);
    expect(server.dependencies).toEqual(expect.arrayContaining([expect.stringMatching(/^openai@\d/), expect.stringMatching(/^@electric-sql\/pglite@\d/)]));
    expect(ui.files.filter((file) => /\/(server|store|providers)\//.test(file.path))).toEqual([]);
    expect(ui.dependencies.some((dependency) => dependency.startsWith('openai@'))).toBe(false);
    expect(ui.cssVars?.light.primary).toBeTruthy();
  });

  it('`shadcn build` (the real CLI) writes one item per entry with each file’s content inlined', async () => {
    output = await mkdtemp(path.join(tmpdir(), 'ai-chat-registry-'));
    await promisify(execFile)(path.join(root, 'node_modules/.bin/shadcn'), ['build', '--output', output], { cwd: root, timeout: 60_000 });
    const built = JSON.parse(await readFile(path.join(output, 'ai-chat.json'), 'utf8')) as { files: { path: string; content: string }[] };
    const route = built.files.find((file) => file.path === 'app/api/chat/route.ts');
    expect(route?.content).toBe(await readFile(path.join(root, 'app/api/chat/route.ts'), 'utf8'));
    expect(built.files.length).toBe(item(JSON.parse(await committed()), 'ai-chat').files.length);
  }, 60_000);
});
