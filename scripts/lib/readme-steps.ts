import { StepFailure } from './run-steps';

/** What the README's "Put it in your app" section tells a user to do, read from the README itself. */
export interface ReadmeSteps {
  /** Paths to copy, as written (a trailing `/` marks a folder). */
  copy: string[];
  /** Package names from the `npm install` line. */
  packages: string[];
  /** The `next.config.ts` snippet. */
  nextConfig: string;
  /** The line to add to the global CSS. */
  tailwindSource: string;
  /** The page that mounts the chat. */
  page: string;
}

/** The manual steps (the README's alternative to `npx shadcn add`). */
const SECTION = '### By hand';

/** The fenced code blocks of `text` with their language, in order. */
function codeBlocks(text: string): { lang: string; code: string }[] {
  return [...text.matchAll(/^[ \t]*```(\w*)\n([\s\S]*?)^[ \t]*```/gm)].map((match) => {
    const indent = /^[ \t]*/.exec(match[0])![0].length;
    const code = match[2]!.split('\n').map((line) => line.slice(Math.min(indent, /^[ \t]*/.exec(line)![0].length))).join('\n');
    return { lang: match[1] ?? '', code };
  });
}

/** The numbered step `n` ("1. …") of the section, up to the next numbered step. */
function numberedStep(section: string, n: number): string {
  const start = section.search(new RegExp(`^${n}\\. `, 'm'));
  if (start < 0) throw new StepFailure(`README: "${SECTION}" has no step ${n}.`);
  const rest = section.slice(start + 3);
  const next = rest.search(/^\d+\. /m);
  return next < 0 ? rest : rest.slice(0, next);
}

/** Reads the drop-in steps from the README; fails naming the step that is missing or unreadable. */
export function readReadmeSteps(readme: string): ReadmeSteps {
  const at = readme.indexOf(`\n${SECTION}\n`);
  if (at < 0) throw new StepFailure(`README: no "${SECTION}" section.`);
  const after = readme.slice(at + SECTION.length + 2);
  // The numbered steps end at the first sub-heading ("### On Supabase") or the next section.
  const end = after.search(/^##+ /m);
  const section = end < 0 ? after : after.slice(0, end);

  const copyStep = numberedStep(section, 1);
  const copy = [...copyStep.matchAll(/^\s*- (.*)$/gm)]
    .flatMap((bullet) => [...bullet[1]!.matchAll(/`([^`]+)`/g)].map((code) => code[1]!))
    // A path, or a pattern with `*` in its last part (`supabase/migrations/*_ai_chat*.sql`).
    .filter((path) => /^[\w.[\]-]+(\/[\w.[\]*-]*)*$/.test(path) && path.includes('/'));
  if (copy.length === 0) throw new StepFailure('README step 1 (copy) lists no paths.');

  const installStep = numberedStep(section, 2);
  const install = codeBlocks(installStep).find((block) => /\bnpm install\b/.test(block.code));
  if (!install) throw new StepFailure('README step 2 has no `npm install` line.');
  const packages = install.code
    .replace(/\\\n/g, ' ')
    .replace(/^[\s\S]*?\bnpm install\b/, '')
    .split(/\s+/)
    .filter((word) => word !== '' && !word.startsWith('-'));
  if (packages.length === 0) throw new StepFailure('README step 2: the `npm install` line names no package.');

  const configStep = numberedStep(section, 3);
  const nextConfig = codeBlocks(configStep).find((block) => block.code.includes('nextConfig'))?.code;
  if (!nextConfig) throw new StepFailure('README step 3 has no next.config snippet.');

  const tailwindStep = numberedStep(section, 4);
  const tailwindSource = /`(@(?:import|source) [^`]*ai-chat[^`]*)`/.exec(tailwindStep)?.[1];
  if (!tailwindSource) throw new StepFailure('README step 4 has no `@import …` (or `@source …`) line for the global CSS.');

  const mountStep = numberedStep(section, 5);
  const page = codeBlocks(mountStep).find((block) => block.code.includes('ChatInterface'))?.code;
  if (!page) throw new StepFailure('README step 5 has no page mounting <ChatInterface>.');

  return { copy, packages, nextConfig, tailwindSource, page };
}
