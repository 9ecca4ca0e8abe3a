/**
 * `npm run proof:shadcn-add`: proves that `npx shadcn add <url>/r/ai-chat.json` installs a working
 * chat that looks like the app it lands in (issue 18 §2, §3). It builds the registry with the real
 * shadcn CLI, serves it on loopback, writes a fresh create-next-app app made a shadcn/ui app (its
 * own theme tokens, class-based dark mode), runs `shadcn add` against the loopback URL, applies the
 * one step the CLI cannot (next.config), runs `next build`, starts the app against a loopback fake
 * OpenAI, completes a chat turn over HTTP and one in Chromium, and takes a screenshot of the chat
 * in the host's light and dark theme with axe run on each.
 *
 * Offline: the CLI reads its base colour from REGISTRY_URL (default https://ui.shadcn.com/r), so
 * REGISTRY_URL points at the same loopback server, which serves `colors/neutral.json` made from the
 * host's own tokens. Every request the CLI made is printed.
 *
 *   npm run proof:shadcn-add [-- --keep] [-- --screenshots docs] [-- --add-only]
 */
import {
  mkdtemp,
  readdir,
  readFile,
  rm,
  writeFile,
} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { postChatTurn, turnProblems } from './lib/chat-turn';
import { runProcess, tail } from './lib/child-processes';
import { buildAndStartFreshApp, PROOF_WAIT_MS } from './lib/fresh-app-server';
import { pinnedVersions, writeFreshApp } from './lib/fresh-app';
import { chatInHostThemes } from './lib/host-screenshots';
import { onCleanup, runScript, step, StepFailure } from './lib/run-steps';
import { replyTextFor } from './lib/scripted-reply';
import { addServerExternalPackages, BASE_COLOR_JSON, writeShadcnHost } from './lib/shadcn-host';
import { serveRegistry } from './lib/static-registry';
import { classesWithRules, moduleUtilityClasses } from './lib/tailwind-coverage';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const MODULE_DIR = 'features/ai-chat';
const SHADCN = path.join(REPO, 'node_modules/shadcn/dist/index.js');
const { values: flags } = parseArgs({
  options: {
    keep: { type: 'boolean', default: false },
    screenshots: { type: 'string', default: 'docs' },
    // Stop once `shadcn add` has run (with --keep, to look at what it wrote).
    'add-only': { type: 'boolean', default: false },
  },
});
const REPLY = { words: 40, delayMs: 5 };
const PAGE = `import { ChatInterface } from '@/features/ai-chat';

export default function ChatPage() {
  return (
    <div className="h-screen">
      <ChatInterface systemPrompt="You are a helpful assistant." />
    </div>
  );
}
`;

runScript('shadcn add proof', 45 * 60_000, async () => {
  const work = await mkdtemp(path.join(os.tmpdir(), 'ai-chat-shadcn-add-'));
  onCleanup('remove the temporary folder', () => (flags.keep ? console.log(`  kept ${work}`) : rm(work, { recursive: true, force: true })));
  const app = path.join(work, 'app');
  const built = path.join(work, 'r');

  await step('shadcn build (the registry, from registry.json)', async () => {
    await runProcess('registry.ts --check', process.execPath, ['--import', 'tsx', 'scripts/registry.ts', '--check'], { cwd: REPO, timeoutMs: PROOF_WAIT_MS });
    await runProcess('shadcn build', process.execPath, [SHADCN, 'build', '--output', built], { cwd: REPO, timeoutMs: PROOF_WAIT_MS });
  });
  const registry = await step('serve the registry and the base colour on loopback', () => serveRegistry(built, { 'colors/neutral.json': BASE_COLOR_JSON }));
  console.log(`  ${registry.url}/r/ai-chat.json, REGISTRY_URL=${registry.url}/r`);

  await step('a fresh Next.js app (create-next-app) made a shadcn/ui app (its theme, class-based dark mode)', async () => {
    await writeFreshApp(app, await pinnedVersions(REPO));
    await writeShadcnHost(app);
    await runProcess('npm install', 'npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], { cwd: app, timeoutMs: 8 * 60_000 });
  });

  // Before the whole module lands: each smaller item into a bare app of its own, alone, and the
  // TypeScript compiler over what it wrote (an item missing a file its files import fails here).
  await step('the smaller items alone: shadcn add, then tsc --noEmit (ai-chat-server, ai-chat-ui)', async () => {
    for (const name of ['ai-chat-server', 'ai-chat-ui']) {
      const alone = path.join(work, name);
      // A copy of the bare app the last step installed (nothing of the module in it yet): the same
      // package.json, lockfile and node_modules another `npm install` would make, without its
      // minutes of CPU. The item's own dependencies still come only from its `shadcn add`.
      await runProcess(`copy the bare app for ${name}`, 'cp', ['-a', app, alone], { cwd: work, timeoutMs: PROOF_WAIT_MS });
      await runProcess(`shadcn add ${name}`, process.execPath, [SHADCN, 'add', `${registry.url}/r/${name}.json`, '--yes', '--overwrite'], {
        cwd: alone,
        env: { REGISTRY_URL: `${registry.url}/r`, npm_config_prefer_offline: 'true', CI: 'true' },
        timeoutMs: 8 * 60_000,
      });
      const files = (await readdir(path.join(alone, MODULE_DIR), { recursive: true })).filter((file) => /\.tsx?$/.test(String(file))).length;
      await runProcess(`tsc --noEmit (${name})`, path.join(alone, 'node_modules/.bin/tsc'), ['--noEmit', '-p', '.'], { cwd: alone, timeoutMs: 5 * 60_000 });
      console.log(`  ${name}: ${files} TypeScript files, tsc --noEmit clean`);
    }
  });

  await step('npx shadcn add <loopback>/r/ai-chat.json', async () => {
    const output = await runProcess('shadcn add', process.execPath, [SHADCN, 'add', `${registry.url}/r/ai-chat.json`, '--yes', '--overwrite'], {
      cwd: app,
      env: { REGISTRY_URL: `${registry.url}/r`, npm_config_prefer_offline: 'true', CI: 'true' },
      timeoutMs: 8 * 60_000,
    });
    // The CLI's own words, without its list of every file written (counted instead).
    const lines = output.trimEnd().split('\n');
    const listed = lines.filter((line) => /^\s+- /.test(line)).length;
    console.log(lines.filter((line) => !/^\s+- /.test(line)).map((line) => `  | ${line}`).join('\n'));
    console.log(`  (${listed} paths listed by the CLI)`);
    console.log(`  the CLI asked the loopback server for:\n${registry.requests.map((line) => `    ${line}`).join('\n')}`);
    const css = await readFile(path.join(app, 'app/globals.css'), 'utf8');
    if (!css.includes('features/ai-chat/styles/ai-chat.css')) throw new StepFailure('shadcn add did not import the chat’s stylesheet into app/globals.css', css);
    const route = await readFile(path.join(app, 'app/api/chat/route.ts'), 'utf8').catch(() => '');
    const identical = await sameFiles(REPO, app, MODULE_DIR);
    console.log(`  ${identical.same} of ${identical.total} module files landed byte for byte`);
    if (identical.same !== identical.total) throw new StepFailure('shadcn add changed module files', identical.changed.join('\n'));
    if (!route.includes('@/features/ai-chat/')) throw new StepFailure('app/api/chat/route.ts is missing or does not reach the module through the app’s alias', route);
  });

  if (flags['add-only']) return;

  await step('the one step left: next.config (serverExternalPackages), and the page mounting the chat', async () => {
    await addServerExternalPackages(app);
    await writeFile(path.join(app, 'app/page.tsx'), PAGE);
  });

  const { base, server } = await buildAndStartFreshApp(app, REPLY);

  await step('the page’s CSS has the module’s classes (the stylesheet’s @source reached Tailwind)', async () => {
    const html = await (await fetch(`${base}/`, { signal: AbortSignal.timeout(PROOF_WAIT_MS) })).text();
    let css = '';
    for (const sheet of html.matchAll(/href="([^"]+\.css)"/g)) css += await (await fetch(new URL(sheet[1]!, base))).text();
    const classes = await moduleUtilityClasses(path.join(app, 'features/ai-chat/components'));
    const { present, missing } = classesWithRules(classes, css);
    console.log(`  ${present.length} of ${classes.size} literal utility classes of the module have a rule in the CSS`);
    if (present.length / Math.max(1, classes.size) < 0.9) throw new StepFailure('Tailwind does not see the module', missing.join(' '));
  });

  await step('one chat turn over HTTP: POST /api/chat streams to finish', async () => {
    const message = `shadcn add proof ${Date.now()}`;
    const turn = await postChatTurn(base, { message }, AbortSignal.timeout(PROOF_WAIT_MS));
    const problems = turnProblems(turn, replyTextFor(message, REPLY.words));
    if (problems.length > 0) throw new StepFailure('the chat turn failed', `${problems.join('\n')}\n--- server log ---\n${tail(server.output())}`);
    console.log(`  ${turn.deltas} deltas, finished after ${turn.totalMs.toFixed(0)} ms`);
  });

  await step('in Chromium: a chat turn, then a screenshot and axe in the host’s light and class-based dark theme', async () => {
    const message = `Hello from the host app ${Date.now()}`;
    const looks = await chatInHostThemes(base, message, replyTextFor(message, REPLY.words), path.resolve(REPO, flags.screenshots!));
    for (const look of looks) {
      console.log(`  ${look.theme}: bubble ${look.bubble} = host --primary; axe ${look.axeViolations} violation(s) (none serious); ${path.relative(REPO, look.screenshot)}`);
    }
  });
});

/** The module's files in the app that are byte for byte the repo's. */
async function sameFiles(repo: string, app: string, dir: string): Promise<{ same: number; total: number; changed: string[] }> {
  const files = (await readdir(path.join(repo, dir), { recursive: true, withFileTypes: true })).filter((entry) => entry.isFile());
  const changed: string[] = [];
  for (const entry of files) {
    const file = path.relative(repo, path.join(entry.parentPath, entry.name));
    const installed = await readFile(path.join(app, file)).catch(() => null);
    if (!installed?.equals(await readFile(path.join(repo, file)))) changed.push(file);
  }
  return { same: files.length - changed.length, total: files.length, changed };
}
