import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const moduleDir = path.resolve(__dirname, '../../features/ai-chat');

/** The module's top-level folder (or root file, as `index.ts`/`server.ts`: the folder server/ is another unit) a path inside it belongs to. */
function unitOf(file: string): string {
  return path.relative(moduleDir, file).split(path.sep)[0]!;
}

async function folderGraph(): Promise<Map<string, Set<string>>> {
  const entries = await readdir(moduleDir, { withFileTypes: true, recursive: true });
  const graph = new Map<string, Set<string>>();
  for (const entry of entries) {
    if (!entry.isFile() || !/\.tsx?$/.test(entry.name)) continue;
    const file = path.join(entry.parentPath, entry.name);
    const from = unitOf(file);
    const text = await readFile(file, 'utf8');
    for (const [, spec] of text.matchAll(/(?:from|import)\s*\(?\s*'(\.[^']+)'/g)) {
      const target = path.resolve(path.dirname(file), spec!);
      if (!target.startsWith(moduleDir + path.sep)) continue;
      // `./server` names server.ts, not the folder server/ beside it.
      const named = ['.ts', '.tsx'].map((ext) => target + ext).find((candidate) => existsSync(candidate)) ?? target;
      const to = unitOf(named);
      if (to !== from) (graph.get(from) ?? graph.set(from, new Set()).get(from)!).add(to);
    }
  }
  return graph;
}

/** Every cycle found by a depth-first walk, each as the folders it passes through. */
function cyclesOf(graph: Map<string, Set<string>>): string[][] {
  const cycles: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string) => {
    state.set(node, 'open');
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === 'open') cycles.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(node, 'done');
  };
  for (const node of [...graph.keys()].sort()) if (!state.has(node)) visit(node);
  return cycles;
}

describe('the module folders', () => {
  it('import one way: no folder reaches back into a folder that imports it', async () => {
    const cycles = cyclesOf(await folderGraph()).map((cycle) => cycle.join(' → '));
    expect(cycles).toEqual([]);
  });

  it('the seed paths under utils/ are only the compatibility layer: nothing in the module imports them', async () => {
    const graph = await folderGraph();
    const importers = [...graph].filter(([, targets]) => targets.has('utils')).map(([from]) => from);
    expect(importers).toEqual([]);
  });
});
