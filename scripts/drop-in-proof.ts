/**
 * `npm run proof:drop-in`: proves that a user who follows the README's "Put it in your app", "By hand", gets a
 * working chat. In a temporary folder it writes a fresh Next.js app (TypeScript, App Router,
 * Tailwind v4, create-next-app's defaults), then does exactly what the README says, read from the
 * README itself: copies the listed paths, checks that the copied module imports nothing outside its
 * folder and no package the install line leaves out, runs the install line (versions pinned from
 * this repo's package.json), applies the config, CSS and page steps, runs `next build`, starts the
 * app against a loopback fake OpenAI and completes one chat turn. Any failure exits non-zero
 * naming the step; the folder and every process it started are removed either way.
 *
 *   npm run proof:drop-in [-- --keep] [-- --ts-target ES2020]
 *
 * --keep leaves the temporary app in place for a look. --ts-target replaces create-next-app's
 * tsconfig `target` (ES2017): only to check the later steps while a target problem is open, since
 * a user's fresh app has ES2017.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { conversationDetailSchema, conversationListSchema } from '../features/ai-chat/protocol/rest';
import { postChatTurn, turnProblems } from './lib/chat-turn';
import { runProcess, tail } from './lib/child-processes';
import { buildAndStartFreshApp, PROOF_WAIT_MS } from './lib/fresh-app-server';
import {
  applyNextConfig,
  applyPage,
  applyTailwindSource,
  copyReadmePaths,
  CREATE_NEXT_APP_TS_TARGET,
  pin,
  pinnedVersions,
  writeFreshApp,
} from './lib/fresh-app';
import { findEntryImportProblems, findModuleImportProblems } from './lib/module-imports';
import { readReadmeSteps, type ReadmeSteps } from './lib/readme-steps';
import { onCleanup, runScript, step, StepFailure } from './lib/run-steps';
import { replyTextFor } from './lib/scripted-reply';
import { classesWithRules, moduleUtilityClasses } from './lib/tailwind-coverage';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const MODULE = 'features/ai-chat';
const { values: flags } = parseArgs({
  options: { keep: { type: 'boolean', default: false }, 'ts-target': { type: 'string' } },
});
const KEEP = flags.keep;
const REPLY = { words: 40, delayMs: 5 };
/** Share of the module's literal utility classes that must have a rule in the built CSS. */
const MIN_CLASS_COVERAGE = 0.9;

async function json(url: string, init?: RequestInit): Promise<unknown> {
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(PROOF_WAIT_MS) });
  const text = await response.text();
  if (!response.ok) throw new StepFailure(`${init?.method ?? 'GET'} ${url} answered HTTP ${response.status}`, text.slice(0, 2_000));
  return JSON.parse(text);
}

runScript('drop-in proof', 45 * 60_000, async () => {
  const readme = await step('read the README steps', async () => {
    const steps = readReadmeSteps(await readFile(path.join(REPO, 'README.md'), 'utf8'));
    console.log(`  copy: ${steps.copy.join(', ')}`);
    console.log(`  install: ${steps.packages.join(' ')}`);
    return steps;
  });
  const versions = await pinnedVersions(REPO);

  const app = await mkdtemp(path.join(os.tmpdir(), 'ai-chat-drop-in-'));
  onCleanup('remove the temporary app', () => (KEEP ? console.log(`  kept ${app}`) : rm(app, { recursive: true, force: true })));
  console.log(`  app folder: ${app}`);

  const tsTarget = flags['ts-target'] ?? CREATE_NEXT_APP_TS_TARGET;
  if (tsTarget !== CREATE_NEXT_APP_TS_TARGET) {
    console.log(`  NOTE: tsconfig target ${tsTarget} instead of create-next-app's ${CREATE_NEXT_APP_TS_TARGET}: not what a user has`);
  }
  await step(`write a fresh Next.js app (tsconfig target ${tsTarget})`, () => writeFreshApp(app, versions, tsTarget));
  await step('README step 1: copy the module, routes and migrations', () => copyReadmePaths(REPO, app, readme.copy));
  await step('check the copied module imports nothing outside itself', () => checkImports(app, readme));
  await step('README steps 3–5: next.config, the chat’s stylesheet in the global CSS, the page', async () => {
    await applyNextConfig(app, readme.nextConfig);
    await applyTailwindSource(app, readme.tailwindSource);
    await applyPage(app, readme.page);
  });

  await step('README step 2: npm install (versions pinned from package.json)', async () => {
    const pins = readme.packages.map((name) => pin(name, versions));
    await runProcess('npm install', 'npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', ...pins], {
      cwd: app,
      timeoutMs: 8 * 60_000,
    });
  });

  const { base, server } = await buildAndStartFreshApp(app, REPLY);

  await step('the page renders and its CSS has the module’s classes', async () => {
    const response = await fetch(`${base}/`, { signal: AbortSignal.timeout(PROOF_WAIT_MS) });
    const html = await response.text();
    if (response.status !== 200) throw new StepFailure(`GET / answered HTTP ${response.status}`, html.slice(0, 2_000));
    const sheets = [...html.matchAll(/href="([^"]+\.css)"/g)].map((match) => match[1]!);
    if (sheets.length === 0) throw new StepFailure('the page links no stylesheet: the global CSS (Tailwind) is not in the build');
    let css = '';
    for (const sheet of sheets) css += await (await fetch(new URL(sheet, base), { signal: AbortSignal.timeout(PROOF_WAIT_MS) })).text();
    const classes = await moduleUtilityClasses(path.join(app, MODULE, 'components'));
    const { present, missing } = classesWithRules(classes, css);
    const share = present.length / Math.max(1, classes.size);
    console.log(`  ${present.length} of ${classes.size} literal utility classes of the module have a rule in the CSS`);
    if (share < MIN_CLASS_COVERAGE) {
      throw new StepFailure(
        `only ${(share * 100).toFixed(0)}% of the module's classes reached the CSS: Tailwind does not see the module (README step 4)`,
        `missing: ${missing.slice(0, 40).join(' ')}`,
      );
    }
  });

  await step('one chat turn: POST /api/chat streams to finish, the conversation is saved', async () => {
    const message = `drop-in proof ${Date.now()}`;
    const turn = await postChatTurn(base, { message }, AbortSignal.timeout(PROOF_WAIT_MS));
    const problems = turnProblems(turn, replyTextFor(message, REPLY.words));
    if (problems.length > 0) throw new StepFailure('the chat turn failed', `${problems.join('\n')}\n--- server log ---\n${tail(server.output())}`);
    console.log(`  ${turn.deltas} deltas, first after ${turn.firstDeltaMs?.toFixed(0)} ms, finished after ${turn.totalMs.toFixed(0)} ms`);

    const conversationId = turn.start!.conversationId;
    const list = conversationListSchema.parse(await json(`${base}/api/chat/conversations`));
    if (!list.conversations.some((conversation) => conversation.id === conversationId)) {
      throw new StepFailure(`GET /api/chat/conversations does not list the new conversation ${conversationId}`, JSON.stringify(list).slice(0, 2_000));
    }
    const detail = conversationDetailSchema.parse(await json(`${base}/api/chat/conversations/${conversationId}`));
    const saved = detail.messages.map((m) => `${m.role}:${m.status}`).join(', ');
    const user = detail.messages.find((m) => m.role === 'user');
    const assistant = detail.messages.find((m) => m.role === 'assistant');
    if (user?.content !== message || assistant?.content !== turn.text || assistant.status !== 'complete') {
      throw new StepFailure(`the saved conversation does not hold the turn (messages: ${saved})`, JSON.stringify(detail).slice(0, 2_000));
    }
    console.log(`  saved: ${saved}`);
  });
});

/** Static half of the proof: the copied module and the copied routes' imports all resolve in the new app. */
async function checkImports(app: string, readme: ReadmeSteps): Promise<void> {
  const installed = new Set([...readme.packages, 'react', 'react-dom', 'next']);
  const moduleDir = path.join(app, MODULE);
  const { files, imports, problems } = await findModuleImportProblems(moduleDir, installed);
  console.log(`  ${files} files, ${imports} imports`);
  if (problems.length > 0) {
    throw new StepFailure(
      `the module does not stand alone: ${problems.length} import(s) need something the README does not give`,
      problems.map((p) => `${MODULE}/${p.file}: '${p.specifier}' ${p.why}`).join('\n'),
    );
  }
  // The copied routes and the README's page reach the module through the `@/*` alias.
  const entries = [
    ...(await Promise.all(
      readme.copy
        .filter((item) => /\.(ts|tsx)$/.test(item) && !item.startsWith(`${MODULE}/`))
        .map(async (item) => ({ name: item, source: await readFile(path.join(app, item), 'utf8') })),
    )),
    { name: 'app/page.tsx (README step 5)', source: readme.page },
  ];
  const entryProblems = findEntryImportProblems(app, entries, installed);
  if (entryProblems.length > 0) {
    throw new StepFailure(
      'the copied routes or the README page import something that is not there',
      entryProblems.map((p) => `${p.file}: '${p.specifier}' ${p.why}`).join('\n'),
    );
  }
}
