import { readFile, writeFile } from 'node:fs/promises';
import type { FirstLoadResult } from '../client/first-load';
import type { ClientCase, ClientStreamingResult } from '../client/streaming';
import type { TruncationResult } from '../context-truncation';
import type { HandlerOverheadResult } from '../handler-overhead';
import type { LimitCheckResult } from '../limit-check';
import type { MachineInfo } from './machine';
import { formatMs, formatUs } from './stats';

export const TARGETS = {
  addedTtftMs: 5,
  perChunkMs: 0.02,
  truncationMs: 20,
  /** Ours over `@ai-sdk/react`, main-thread time while streaming. */
  clientRatio: 0.5,
  /** Ours over `@ai-sdk/react`, main-thread time to open a conversation (issue 9: at most theirs). */
  openRatio: 1,
  /**
   * Per-delta cost in the longest conversation over the shortest. Ten times the messages at a
   * per-row cost would show ~10×; "does not grow" is read as within 25 %, the room that heap-size
   * effects (GC over a larger page) take for any client: the reference one, whose per-token React
   * work is constant too, measures 1.02–1.13 on this machine.
   */
  perDeltaGrowth: 1.25,
  beyondFrameworkKb: 150,
} as const;

export interface BenchResults {
  machine: MachineInfo;
  seconds: number;
  handler: HandlerOverheadResult;
  truncation: TruncationResult;
  limit: LimitCheckResult;
  client: ClientStreamingResult;
  firstLoad: FirstLoadResult;
}

const met = (ok: boolean) => (ok ? 'yes' : '**no**');
const row = (cells: readonly (string | number)[]) => `| ${cells.join(' | ')} |`;
const table = (head: readonly string[], rows: readonly (readonly (string | number)[])[]) =>
  [row(head), row(head.map(() => '---')), ...rows.map(row)].join('\n');

/** The figures section of docs/benchmarks.md, as markdown. */
export function figuresMarkdown({ machine, seconds, handler, truncation, limit, client, firstLoad }: BenchResults): string {
  const h = handler;
  const streams = [{ name: '(a) openai SDK directly', ...h.sdk }, { name: 'provider adapter alone (no handler, no store)', ...h.adapter }, ...h.variants];
  const writeRows = h.writes.map((w) => [
    w.name,
    w.transactions,
    w.statements,
    `${w.rows.conversations} / ${w.rows.messages} / ${w.rows.usage}`,
    `${w.tuples.inserted} / ${w.tuples.updated} / ${w.tuples.deleted}`,
    w.labels.map((label) => `\`${label}\``).join(', '),
  ]);
  const reserveCalls = h.writes.map((w) => w.labels.filter((label) => label.includes('ai_chat_reserve_usage')).length);

  return [
    `Measured on ${machine.date}: ${machine.cores} cores (${machine.cpu}), ${machine.memoryGiB} GiB, Node ${machine.node}, ${machine.os}. ` +
      `Load average when the run started: ${machine.loadAverage.toFixed(1)} (other work on the machine inflates every figure). ` +
      `The whole \`npm run bench\` took ${seconds.toFixed(0)} s.`,
    '',
    `### 1. Handler overhead (${h.chunks.toLocaleString('en')}-chunk reply, ${h.runs} iterations after ${h.warmup} warm-up)`,
    '',
    table(
      ['path', 'first delta, median', 'p95', 'last delta, median', 'end of body, median', 'p95'],
      streams.map((s) => [s.name, formatMs(s.ttft.median), formatMs(s.ttft.p95), formatMs(s.lastDelta.median), formatMs(s.total.median), formatMs(s.total.p95)]),
    ),
    '',
    table(
      ['overhead of the handler', ...h.variants.map((v) => v.name), 'target', 'met'],
      [
        [
          'added time to first token (median)',
          ...h.variants.map((v) => formatMs(v.addedTtft)),
          `< ${TARGETS.addedTtftMs} ms`,
          // Per variant: the follow-up pays one more store call (reading the branch) than the issue's case.
          h.variants.map((v) => `${v.name.replace(/^handler, /, '').replace(/ \(.*\)$/, '')}: ${met(v.addedTtft < TARGETS.addedTtftMs)}`).join('; '),
        ],
        [
          'per-chunk relay cost (issue formula, end-of-turn writes included)',
          ...h.variants.map((v) => formatUs(v.perChunk)),
          `< ${formatUs(TARGETS.perChunkMs)}`,
          met(h.variants.every((v) => v.perChunk < TARGETS.perChunkMs)),
        ],
        ['request to Response returned (planning the turn), median', ...h.variants.map((v) => formatMs(v.planned.median)), '', ''],
        ['store calls started before the first token', ...h.variants.map((v) => v.storeCallsBeforeFirstToken), '', ''],
        ['per-chunk relay cost, first to last delta only', ...h.variants.map((v) => formatUs(v.perChunkStreaming)), '', ''],
        ['last delta to end of body (save reply, settle usage), median', ...h.variants.map((v) => formatMs(v.tail.median)), '', ''],
      ],
    ),
    '',
    'Database work per turn (store calls are one transaction each; rows are ai_chat_conversations / ai_chat_messages / ai_chat_usage):',
    '',
    table(['turn', 'store calls', 'SQL statements', 'rows added', 'rows inserted / updated / deleted', 'calls, in order'], writeRows),
    '',
    `Writes do not depend on the reply's length: ${sameWrites(h) ? 'the 10-chunk and 1,000-chunk turns write exactly the same' : '**the 10-chunk and 1,000-chunk turns differ**'}. ` +
      `The limit check is ${reserveCalls.every((n) => n === 1) ? 'one' : `**${reserveCalls.join('/')}**`} \`ai_chat_reserve_usage\` call per turn.`,
    '',
    `### 2. Context truncation (${truncation.messages.toLocaleString('en')} messages, ${truncation.historyTokens.toLocaleString('en')} tokens, budget ${truncation.budget.toLocaleString('en')}; ${truncation.kept.toLocaleString('en')} kept)`,
    '',
    table(
      ['case', 'runs', 'median', 'p95', 'target', 'met'],
      [
        ['stored counts', truncation.stored.n, formatMs(truncation.stored.median), formatMs(truncation.stored.p95), `< ${TARGETS.truncationMs} ms`, met(truncation.stored.median < TARGETS.truncationMs)],
        ['no stored counts (tokenises what is kept)', truncation.unstored.n, formatMs(truncation.unstored.median), formatMs(truncation.unstored.p95), '', ''],
      ],
    ),
    '',
    `### 3. Limit check (\`reserveUsage\`, all three limits set, ${limit.usageRows.toLocaleString('en')} usage rows this month)`,
    '',
    table(
      ['runs', 'median', 'p95', 'store calls per check', 'SQL statements', 'calls'],
      [[limit.reserve.n, formatMs(limit.reserve.median), formatMs(limit.reserve.p95), limit.transactions, limit.statements, limit.labels.map((l) => `\`${l}\``).join(', ')]],
    ),
    '',
    clientMarkdown(client),
    '',
    firstLoadMarkdown(firstLoad),
  ].join('\n');
}

function sameWrites(h: HandlerOverheadResult): boolean {
  const key = (w: HandlerOverheadResult['writes'][number]) => JSON.stringify([w.transactions, w.statements, w.rows, w.tuples, w.labels]);
  const byVariant = new Map<string, Set<string>>();
  for (const w of h.writes) {
    const variant = w.name.replace(/, \d+-chunk reply$/, '');
    byVariant.set(variant, (byVariant.get(variant) ?? new Set()).add(key(w)));
  }
  return [...byVariant.values()].every((keys) => keys.size === 1);
}

const START = '<!-- bench:figures:start -->';
const END = '<!-- bench:figures:end -->';

/** Replaces what lies between the figure markers in `file` with `figures`. */
export async function rewriteFigures(file: string, figures: string): Promise<void> {
  const doc = await readFile(file, 'utf8');
  const start = doc.indexOf(START);
  const end = doc.indexOf(END);
  if (start < 0 || end < start) throw new Error(`${file} has no ${START} … ${END} section to rewrite`);
  await writeFile(file, `${doc.slice(0, start + START.length)}\n${figures}\n${doc.slice(end)}`);
}

const CLIENT_LABEL = { ours: 'ours (`ChatInterface`)', theirs: '`@ai-sdk/react` `useChat`' } as const;
const kB = (bytes: number) => `${(bytes / 1000).toFixed(1)} kB`;

function clientMarkdown(client: ClientStreamingResult): string {
  const { options: o, versions: v, cases } = client;
  const find = (name: ClientCase['client'], messages: number) => cases.find((c) => c.client === name && c.messages === messages)!;
  const [shortest, longest] = [Math.min(...o.lengths), Math.max(...o.lengths)];
  const growth = (name: ClientCase['client']) => find(name, longest).perDeltaMs / find(name, shortest).perDeltaMs;
  const ratios = o.lengths.map((messages) => find('ours', messages).task.median / find('theirs', messages).task.median);
  return [
    `### 4. Client streaming (${o.deltas.toLocaleString('en')} deltas, one every ${o.intervalMs} ms, into ${o.lengths.join(' and ')} messages; median of ${o.runs} runs each)`,
    '',
    `Headless Chromium ${v.chromium}, React ${v.react} (profiling build), \`@ai-sdk/react\` ${v.aiSdkReact} with \`ai\` ${v.ai}. ` +
      'Main-thread time is the renderer main thread\'s CPU time (CDP `TaskDuration`, thread ticks) from pressing Enter until the last words are painted.',
    '',
    table(
      ['client', 'messages shown', 'React commits', 'main-thread time', 'per delta', 'of which script', 'style + layout', 'wall time', 'opening the conversation'],
      cases.map((c) => [
        CLIENT_LABEL[c.client],
        c.messages,
        c.commits.median,
        formatMs(c.task.median),
        formatUs(c.perDeltaMs),
        formatMs(c.script.median),
        formatMs(c.styleLayout.median),
        formatMs(c.wall.median),
        formatMs(c.open.median),
      ]),
    ),
    '',
    table(
      ['target', 'figure', 'target', 'met'],
      [
        ...o.lengths.map((messages, i) => [
          `ours ÷ \`@ai-sdk/react\`, main-thread time, ${messages} messages`,
          ratios[i]!.toFixed(2),
          `≤ ${TARGETS.clientRatio}`,
          met(ratios[i]! <= TARGETS.clientRatio),
        ]),
        // The issue's target is for the long conversation; the short one is shown for contrast.
        ...o.lengths.map((messages) => {
          const ratio = find('ours', messages).open.median / find('theirs', messages).open.median;
          const targeted = messages === longest;
          return [
            `ours ÷ \`@ai-sdk/react\`, opening the conversation, ${messages} messages`,
            `${ratio.toFixed(2)} (${formatMs(find('ours', messages).open.median)} vs ${formatMs(find('theirs', messages).open.median)})`,
            targeted ? `≤ ${TARGETS.openRatio}` : '',
            targeted ? met(ratio <= TARGETS.openRatio) : '',
          ];
        }),
        [
          `ours, per-delta cost at ${longest} ÷ at ${shortest} messages`,
          `${growth('ours').toFixed(2)} (${formatUs(find('ours', shortest).perDeltaMs)} → ${formatUs(find('ours', longest).perDeltaMs)})`,
          `≤ ${TARGETS.perDeltaGrowth} (does not grow)`,
          met(growth('ours') <= TARGETS.perDeltaGrowth),
        ],
        [
          `\`@ai-sdk/react\`, the same`,
          `${growth('theirs').toFixed(2)} (${formatUs(find('theirs', shortest).perDeltaMs)} → ${formatUs(find('theirs', longest).perDeltaMs)})`,
          '',
          '',
        ],
      ],
    ),
  ].join('\n');
}

function firstLoadMarkdown(first: FirstLoadResult): string {
  return [
    `### 5. First-load JavaScript of the chat page (\`/\`, production build${first.built ? `, built in ${first.buildSeconds.toFixed(0)} s` : ', reused build of identical sources'})`,
    '',
    table(
      ['part', 'gzipped', 'target', 'met'],
      [
        [`all ${first.files.length} scripts the page loads`, kB(first.totalGzip), '', ''],
        ['React and Next (Next\'s bundled React, scheduler, router, Turbopack runtime)', kB(first.frameworkGzip), '', ''],
        ['beyond React and Next', kB(first.beyondGzip), `< ${TARGETS.beyondFrameworkKb} kB`, met(first.beyondGzip / 1000 < TARGETS.beyondFrameworkKb)],
      ],
    ),
    '',
    `Largest beyond React and Next: ${first.beyondByPackage
      .slice(0, 8)
      .map((p) => `${p.name} ${kB(p.gzip)}`)
      .join(', ')}; markdown (react-markdown, remark/rehype, micromark, mdast/hast utilities) ${kB(
      first.beyondByPackage.filter((p) => /^(react-markdown|remark|rehype|micromark|mdast|hast|unist|unified|vfile|property-information|decode-named|character-|ccount|markdown-table|longest-streak|zwitch|bail|devlop|trough|is-plain-obj|comma-|space-|style-to|inline-style|estree|html-url|trim-lines|escape-string|@types)/.test(p.name)).reduce((sum, p) => sum + p.gzip, 0),
    )} in all.`,
  ].join('\n');
}
