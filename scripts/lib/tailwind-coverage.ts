import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';

// Class names that generate no CSS rule of their own in Tailwind v4.
const MARKERS = new Set(['group', 'peer']);

/** The plain utility classes (no variant, no arbitrary value) written literally in the module's components. */
export async function moduleUtilityClasses(componentsDir: string): Promise<Set<string>> {
  const classes = new Set<string>();
  for (const name of await readdir(componentsDir)) {
    if (!name.endsWith('.tsx')) continue;
    const source = await readFile(path.join(componentsDir, name), 'utf8');
    for (const match of source.matchAll(/className=(?:"([^"]*)"|\{`([^`]*)`\})/g)) {
      const literal = (match[1] ?? match[2] ?? '').replace(/\$\{[^}]*\}/g, ' ');
      for (const token of literal.split(/\s+/)) {
        if (/^[a-z][a-z0-9-]*[a-z0-9]$/.test(token) && !MARKERS.has(token)) classes.add(token);
      }
    }
  }
  return classes;
}

/** Which of `classes` have a rule in `css`. */
export function classesWithRules(classes: Iterable<string>, css: string): { present: string[]; missing: string[] } {
  const present: string[] = [];
  const missing: string[] = [];
  for (const name of classes) {
    (new RegExp(`\\.${name}(?![\\w-])`).test(css) ? present : missing).push(name);
  }
  return { present, missing };
}
