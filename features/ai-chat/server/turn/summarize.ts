import 'server-only';
import { getChatEnv } from '../../config/env';
import { ChatError } from '../../protocol/errors';
import { createAnthropicProvider } from '../../providers/anthropic/provider';
import { createConfiguredOpenAIProvider } from '../../providers/openai/configured-provider';
import type { ChatProvider, ProviderName, ProviderUsage } from '../../providers/types';

/** Cheap, fast models per provider: a summary needs no frontier model. */
export const SUMMARY_MODELS: Record<ProviderName, string> = {
  openai: 'gpt-5-nano',
  anthropic: 'claude-haiku-5-5',
  demo: 'offline-demo',
};

const INSTRUCTIONS = [
  'You condense chat transcripts so the conversation can continue without them.',
  'Write a concise summary (at most 200 words) in the third person: keep facts, names, numbers,',
  "decisions, code identifiers, open questions and the user's stated preferences. No preamble.",
  'If a previous summary is given, merge it with the new transcript into one summary.',
].join(' ');

export interface SummarizeOptions {
  /** Default: the default provider of the environment. */
  provider?: ChatProvider;
  /** Default: that provider's entry in SUMMARY_MODELS. */
  model?: string;
  previousSummary?: string | null;
  maxTokens?: number;
  signal?: AbortSignal;
}

export interface SummaryResult {
  summary: string;
  provider: ProviderName;
  model: string;
  usage: ProviderUsage;
}

/** A short summary of `messages` (as the original `summarizeConversation(messages)`). */
export async function summarizeConversation(
  messages: readonly { role: string; content: string }[],
  options: SummarizeOptions = {},
): Promise<string> {
  return (await summarizeWithUsage(messages, options)).summary;
}

/** The summary and what it cost, for callers that bill it. */
export async function summarizeWithUsage(
  messages: readonly { role: string; content: string }[],
  options: SummarizeOptions = {},
): Promise<SummaryResult> {
  const provider = options.provider ?? providerFromEnv();
  const model = options.model ?? SUMMARY_MODELS[provider.name];
  const transcript = messages
    .filter((message) => message.content.trim().length > 0)
    .map((message) => `${message.role === 'user' ? 'User' : message.role === 'assistant' ? 'Assistant' : message.role}: ${message.content}`)
    .join('\n\n');
  const previous = options.previousSummary ? `Previous summary:\n${options.previousSummary}\n\n` : '';
  const completion = await provider.complete({
    model,
    system: INSTRUCTIONS,
    messages: [{ role: 'user', content: `${previous}Transcript:\n${transcript}` }],
    maxTokens: options.maxTokens ?? 400,
    // A summary needs no thinking, and the ledger reserved maxTokens for the summary's words alone.
    reasoning: 'off',
    signal: options.signal,
  });
  return { summary: completion.text.trim(), provider: provider.name, model, usage: completion.usage };
}

function providerFromEnv(): ChatProvider {
  const env = getChatEnv();
  const name = env.defaultProvider;
  const keys = name === 'openai' ? env.OPENAI_API_KEY : env.ANTHROPIC_API_KEY;
  if (!keys?.length) {
    throw new ChatError('not_configured', `Set ${name === 'openai' ? 'OPENAI_API_KEY' : 'ANTHROPIC_API_KEY'} to summarise conversations.`);
  }
  return name === 'openai'
    ? createConfiguredOpenAIProvider({ apiKeys: keys, baseURL: env.OPENAI_BASE_URL, api: env.openaiApi })
    : createAnthropicProvider({ apiKeys: keys, baseURL: env.ANTHROPIC_BASE_URL });
}
