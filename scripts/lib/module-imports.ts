import { existsSync, statSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import path from 'node:path';
import ts from 'typescript';

/** One import that a copied module may not have. */
export interface ImportProblem {
  file: string;
  specifier: string;
  why: string;
}

const SOURCE = /\.(ts|tsx|mts|cts|js|jsx|mjs)$/;
const RESOLVE_SUFFIXES = ['', '.ts', '.tsx', '.mts', '.js', '.jsx', '.mjs', '/index.ts', '/index.tsx', '/index.js'];

async function sourceFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile() && SOURCE.test(entry.name))
    .map((entry) => path.join(entry.parentPath, entry.name))
    .sort();
}

/** The package an import names (`@scope/name/sub` → `@scope/name`). */
export function packageOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

function resolvesToFile(target: string): string | undefined {
  for (const suffix of RESOLVE_SUFFIXES) {
    const candidate = target + suffix;
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return undefined;
}

/**
 * Every import (static, dynamic, re-export, require) in the module folder that leaves the folder
 * or needs a package the user was not told to install. Read with TypeScript's own pre-processor,
 * so imports quoted in comments or strings do not count.
 */
export async function findModuleImportProblems(moduleDir: string, installed: ReadonlySet<string>): Promise<{ files: number; imports: number; problems: ImportProblem[] }> {
  const files = await sourceFiles(moduleDir);
  const problems: ImportProblem[] = [];
  let imports = 0;
  const builtins = new Set(builtinModules);
  for (const file of files) {
    const info = ts.preProcessFile(await readFile(file, 'utf8'), true, true);
    const relativeFile = path.relative(moduleDir, file);
    for (const { fileName: specifier } of info.importedFiles) {
      imports += 1;
      if (specifier.startsWith('.')) {
        const target = path.resolve(path.dirname(file), specifier);
        if (path.relative(moduleDir, target).startsWith('..')) {
          problems.push({ file: relativeFile, specifier, why: 'reaches outside the module folder' });
        } else if (!resolvesToFile(target)) {
          problems.push({ file: relativeFile, specifier, why: 'resolves to no file inside the module' });
        }
      } else if (specifier.startsWith('@/') || specifier.startsWith('~/')) {
        problems.push({ file: relativeFile, specifier, why: 'uses an app path alias (the app around the module)' });
      } else if (specifier.startsWith('node:') || builtins.has(specifier)) {
        continue;
      } else if (!installed.has(packageOf(specifier))) {
        problems.push({ file: relativeFile, specifier, why: `needs package "${packageOf(specifier)}", which the README's install step does not install` });
      }
    }
  }
  return { files: files.length, imports, problems };
}

/**
 * The imports of the app files that mount the module (its route files, the page) that do not
 * resolve in the app: `@/x` must be a file under the app root, a package must be installed.
 */
export function findEntryImportProblems(
  appDir: string,
  entries: readonly { name: string; source: string }[],
  installed: ReadonlySet<string>,
): ImportProblem[] {
  const problems: ImportProblem[] = [];
  const builtins = new Set(builtinModules);
  for (const { name, source } of entries) {
    for (const { fileName: specifier } of ts.preProcessFile(source, true, true).importedFiles) {
      if (specifier.startsWith('@/')) {
        if (!resolvesToFile(path.join(appDir, specifier.slice(2)))) problems.push({ file: name, specifier, why: 'resolves to no file in the app' });
      } else if (specifier.startsWith('.')) {
        problems.push({ file: name, specifier, why: 'is relative: it depends on where the file sits in the ai-chat repo' });
      } else if (!specifier.startsWith('node:') && !builtins.has(specifier) && !installed.has(packageOf(specifier))) {
        problems.push({ file: name, specifier, why: `needs package "${packageOf(specifier)}", which the README does not install` });
      }
    }
  }
  return problems;
}
