/**
 * `npm run registry:build`: writes registry.json from the tree (scripts/lib/registry-items.ts),
 * then `shadcn build` turns it into one JSON per item in public/r/, which `npx shadcn add
 * <url>/r/ai-chat.json` installs from. `-- --check` only says whether registry.json is current.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildRegistry, registryJson } from './lib/registry-items';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const file = path.join(ROOT, 'registry.json');
const wanted = registryJson(await buildRegistry(ROOT));
const current = await readFile(file, 'utf8').catch(() => '');

if (process.argv.includes('--check')) {
  if (current !== wanted) {
    console.error('registry.json is stale: run npm run registry:build');
    process.exit(1);
  }
  console.log('registry.json is current');
} else if (current !== wanted) {
  await writeFile(file, wanted);
  console.log('registry.json written');
}
