import { readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import type { TwoInstanceFigures } from './two-instances';

/** What one load run measured. Times in ms, memory in KiB. */
export interface LoadFigures {
  date: string;
  cores: number;
  cpu: string;
  node: string;
  loadAverageBefore: number;
  chats: number;
  words: number;
  delayMs: number;
  /** The fake's own time to stream one reply: (frames) × delay; no server can beat it. */
  floorMs: number;
  wallMs: number;
  /** CPU time the server process used during the chats. */
  serverCpuMs: number;
  deltas: number;
  /** To the `start` event: the turn planned (usage reserved); the question is saved after it. */
  startEvent: { p50: number; p99: number };
  ttft: { p50: number; p99: number; max: number };
  total: { p50: number; p99: number; max: number };
  rss: { treeKiB: number; hwmKiB: number; processes: number; beforeKiB: number };
  openFiles: { peak: number; limit: number | undefined };
  errors: number;
  status5xx: number;
  verified: { conversations: number; messages: number; usageRows: number };
}

const ms = (value: number) => (value >= 1_000 ? `${(value / 1_000).toFixed(2)} s` : `${value.toFixed(0)} ms`);
const mib = (kib: number) => `${(kib / 1024).toFixed(0)} MiB`;

/** Where the machine is, for the heading. */
export function machineNow(): Pick<LoadFigures, 'date' | 'cores' | 'cpu' | 'node' | 'loadAverageBefore'> {
  return {
    date: new Date().toISOString().slice(0, 10),
    cores: os.availableParallelism(),
    cpu: os.cpus()[0]?.model.trim() ?? 'unknown CPU',
    node: process.version,
    loadAverageBefore: os.loadavg()[0]!,
  };
}

/** The two-instance checks' paragraph, or what a run without PostgreSQL says. */
function twoInstanceParagraph(t: TwoInstanceFigures | null): string {
  if (!t) return '\nThe two-instance checks did not run (no local PostgreSQL, or a tree without the Postgres store).\n';
  return `
Then two \`next start\` on one fresh PostgreSQL 15 database (the Postgres store, \`AI_CHAT_AUTH=local-user\`):

| check | result |
| --- | --- |
| a reply begun on A, followed from B (\`GET …/replies/:id/stream\`) | all ${t.followed.words} words, from the start; B's stream ended ${ms(t.followed.lagMs)} after A's |
| stopped from B (\`POST …/replies/:id/stop\`) | A's stream ended as \`aborted\` ${ms(t.stop.honouredMs)} after the stop, after ${t.stop.words} of 400 words; saved as partial |
| A killed (SIGKILL) mid-reply | B ended the reply as \`interrupted\` ${ms(t.interrupted.afterKillMs)} after the kill (stale window 10 s), ${t.interrupted.words} words kept, usage settled once (${t.interrupted.completionTokens} output tokens) |
| tokens-per-day limit across both, 50 concurrent chats split between them | ${t.limit.allowed} answered, ${t.limit.refused} refused; billed ${t.limit.billed} tokens for a limit's room of ${t.limit.limit} (bound: + one reply = ${t.limit.bound}) |
`;
}

/** The "## Load" section of docs/benchmarks.md. */
export function loadSection(f: LoadFigures, twoInstances: TwoInstanceFigures | null = null): string {
  const seconds = f.wallMs / 1000;
  return `## Load

\`npm run test:load\` (\`scripts/load-test.ts\`) starts one \`next start\` (a production build made in a
copy of the working tree outside the repo, \`$TMPDIR/ai-chat-load-build-<hash of the checkout path>\`, rebuilt only when the app's
sources change) on the embedded store (PGlite) in a fresh data folder, and the loopback fake OpenAI in
its own process. It then opens ${f.chats} chats at once, each a new conversation, each reply ${f.words} words sent
as ${f.words} deltas with ${f.delayMs} ms before every frame (so ${ms(f.floorMs)} per reply is the provider's own time, the
floor). It checks that every reply arrived whole and in order (the joined deltas equal what the fake
sent, every word tagged with its chat), that each stream ended with \`finish\`, that no request
answered 5xx, and, over the REST API and then in the PGlite folder after the server stopped, that
every conversation holds its user message and its complete reply and has one settled usage row.
The load generator runs in a third process; the three share the machine's ${f.cores} cores.

Run of ${f.date} on ${f.cores} cores (${f.cpu}), Node ${f.node}, load average ${f.loadAverageBefore.toFixed(2)} before the run:

| chats at once | wall time | chats/s | tokens/s | \`start\` event p50 | p99 | first token p50 | p99 | whole chat p50 | p99 | max | errors | 5xx |
| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |
| ${f.chats} | ${ms(f.wallMs)} | ${(f.chats / seconds).toFixed(1)} | ${(f.deltas / seconds).toFixed(0)} | ${ms(f.startEvent.p50)} | ${ms(f.startEvent.p99)} | ${ms(f.ttft.p50)} | ${ms(f.ttft.p99)} | ${ms(f.total.p50)} | ${ms(f.total.p99)} | ${ms(f.total.max)} | ${f.errors} | ${f.status5xx} |

| server process tree | figure |
| --- | --- |
| CPU used during the chats | ${(f.serverCpuMs / 1000).toFixed(2)} s over ${ms(f.wallMs)}: ${((100 * f.serverCpuMs) / f.wallMs).toFixed(0)}% of one core |
| RSS before the chats (warmed up) | ${mib(f.rss.beforeKiB)} |
| peak RSS, summed over the tree (sampled every 100 ms) | ${mib(f.rss.treeKiB)} |
| peak VmHWM of one process | ${mib(f.rss.hwmKiB)} |
| processes | ${f.rss.processes} |
| peak open file descriptors (soft limit) | ${f.openFiles.peak} (${f.openFiles.limit ?? 'unlimited'}) |

Verified after the run: ${f.verified.conversations} conversations, ${f.verified.messages} messages, ${f.verified.usageRows} settled usage rows (the warm-up chat included).
Tokens are the fake's deltas (one word each). Times are measured by the client from sending the
request: \`start\` event = the turn planned (body parsed, history read, usage reserved: one store
call for a new conversation; the conversation and the question are then written while the provider
starts), first token = first \`text-delta\`, whole chat = end of the body.
${twoInstanceParagraph(twoInstances)}`;
}

/** Appends the section at the end of the doc, or replaces the one an earlier run wrote. */
export async function writeLoadSection(doc: string, section: string): Promise<void> {
  await writeDocSection(doc, '## Load', section);
}

/**
 * Replaces the doc's section under `heading` (up to the next `## ` heading) with `section`, or
 * appends it at the end when the doc has none.
 */
export async function writeDocSection(doc: string, heading: string, section: string): Promise<void> {
  const text = await readFile(doc, 'utf8');
  const start = text.search(new RegExp(`^${heading.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'));
  if (start < 0) {
    await writeFile(doc, `${text.trimEnd()}\n\n${section}`);
    return;
  }
  const after = text.slice(start + heading.length);
  const next = after.search(/^## /m);
  const rest = next < 0 ? '' : `\n${after.slice(next)}`;
  await writeFile(doc, `${text.slice(0, start)}${section}${rest}`);
}
