import { truncateMessages } from '../features/ai-chat/server/turn/context';
import { sample, summarize, type Summary } from './support/stats';

/**
 * Benchmark 2: fitting a long history into the next turn's prompt. A 2,000-message history of
 * 200,000 tokens, each message carrying its stored token count (as the store saves them), is
 * truncated to a 128k-token budget.
 */

const MESSAGES = 2_000;
const HISTORY_TOKENS = 200_000;
const BUDGET = 128_000;
const SYSTEM_TOKENS = 400;

interface HistoryMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
  tokens: number | null;
}

export interface TruncationResult {
  messages: number;
  historyTokens: number;
  budget: number;
  kept: number;
  stored: Summary;
  /** The same history with no stored counts: every kept message is tokenised (o200k_base). */
  unstored: Summary;
}

/** A deterministic pseudo-random source (mulberry32), so every run truncates the same history. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Text of roughly `tokens` o200k tokens: varied lowercase words, about one token each. */
function prose(tokens: number, next: () => number): string {
  const words: string[] = [];
  for (let i = 0; i < tokens; i++) {
    const length = 3 + Math.floor(next() * 6);
    let word = '';
    for (let c = 0; c < length; c++) word += String.fromCharCode(97 + Math.floor(next() * 26));
    words.push(word);
  }
  return words.join(' ');
}

/** A system prompt, then alternating user and assistant messages; stored counts sum to exactly `HISTORY_TOKENS`. */
export function buildHistory(): HistoryMessage[] {
  const next = random(2_000);
  const weights = Array.from({ length: MESSAGES - 1 }, (_, i) => (i % 2 === 0 ? 0.4 : 1.6) * (0.5 + next()));
  const scale = (HISTORY_TOKENS - SYSTEM_TOKENS) / weights.reduce((sum, w) => sum + w, 0);
  const counts = weights.map((w) => Math.max(1, Math.round(w * scale)));
  counts[counts.length - 1]! += HISTORY_TOKENS - SYSTEM_TOKENS - counts.reduce((sum, c) => sum + c, 0);
  const history: HistoryMessage[] = [{ role: 'system', content: prose(SYSTEM_TOKENS, next), tokens: SYSTEM_TOKENS }];
  counts.forEach((tokens, i) => {
    // Content about as long as the count says (random words run ~2 tokens each in o200k), so the
    // unstored case tokenises a realistic amount of text.
    history.push({ role: i % 2 === 0 ? 'user' : 'assistant', content: prose(Math.ceil(tokens / 2), next), tokens });
  });
  // The message being answered is the newest user message.
  if (history.at(-1)!.role !== 'user') history.push({ role: 'user', content: 'And then?', tokens: 3 });
  return history;
}

export async function benchContextTruncation({ runs, warmup, unstoredRuns }: { runs: number; warmup: number; unstoredRuns: number }): Promise<TruncationResult> {
  const history = buildHistory();
  const options = { maxTokens: BUDGET, keepSystemPrompt: true, keepRecentMessages: 4 };
  const kept = truncateMessages(history, options).length;

  const stored = await sample(runs, warmup, () => truncateMessages(history, options));
  const withoutCounts = history.map((message) => ({ ...message, tokens: null }));
  const unstored = await sample(unstoredRuns, 1, () => truncateMessages(withoutCounts, options));

  return {
    messages: history.length,
    historyTokens: history.reduce((sum, message) => sum + (message.tokens ?? 0), 0),
    budget: BUDGET,
    kept,
    stored: summarize(stored),
    unstored: summarize(unstored),
  };
}
