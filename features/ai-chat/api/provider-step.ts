import 'server-only';
import type { ChatEvent, ChatFinishReason } from '../protocol/chat-events';
import { asChatError, ChatError, type ChatErrorCode } from '../protocol/errors';
import type { ProviderMessage, ProviderToolCall, ProviderUsage } from '../providers/types';
import { costOf, NO_USAGE, tokensOf } from './accounting';
import type { ProviderTarget, ResolvedHandlerOptions } from './handler-options';
import type { TurnPlan } from './plan-turn';
import type { toToolSpecs } from './tools';

/** Failures worth handing to a backup provider, when nothing has reached the user yet. */
const FAILOVER_CODES: ReadonlySet<ChatErrorCode> = new Set(['rate_limited', 'overloaded', 'network', 'provider_error', 'auth']);

export interface StepContext {
  plan: TurnPlan;
  options: ResolvedHandlerOptions;
  signal: AbortSignal;
  emit: (event: ChatEvent) => void;
  messages: ProviderMessage[];
  tools: ReturnType<typeof toToolSpecs> | undefined;
  toolChoice: 'none' | undefined;
  promptEstimate: number;
}

export interface StepOutcome {
  target: ProviderTarget;
  text: string;
  toolCalls: ProviderToolCall[];
  usage: ProviderUsage;
  finishReason: ChatFinishReason;
  error?: ChatError;
}

/** One provider call, failing over to the next candidate only while nothing has been shown. */
export async function streamStep(candidates: readonly ProviderTarget[], context: StepContext): Promise<StepOutcome> {
  const { plan, options, signal, emit } = context;
  for (let index = 0; ; index += 1) {
    const target = candidates[index]!;
    const outcome: StepOutcome = { target, text: '', toolCalls: [], usage: NO_USAGE, finishReason: 'other' };
    let reported: ProviderUsage | null = null;
    let shown = false;
    try {
      const events = options.providers[target.provider]!.stream({
        model: target.model,
        system: plan.fitted.system,
        messages: context.messages,
        temperature: plan.temperature,
        maxTokens: plan.replyTokens,
        tools: context.tools,
        toolChoice: context.toolChoice,
        signal,
      });
      for await (const event of events) {
        if (event.type === 'text-delta') {
          shown = true;
          outcome.text += event.delta;
          emit({ type: 'text-delta', delta: event.delta });
        } else if (event.type === 'tool-call') {
          shown = true;
          outcome.toolCalls.push({ id: event.id, name: event.name, args: event.args });
          emit({ type: 'tool-call', id: event.id, name: event.name, args: event.args });
        } else if (event.type === 'usage') {
          reported = { promptTokens: event.promptTokens, completionTokens: event.completionTokens, cachedPromptTokens: event.cachedPromptTokens };
        } else {
          outcome.finishReason = event.finishReason;
        }
      }
      if (outcome.toolCalls.length > 0) outcome.finishReason = 'tool-calls';
    } catch (error) {
      outcome.error = signal.aborted ? new ChatError('aborted', 'The reply was stopped.', { cause: error }) : asChatError(error);
    }
    // A cut-off call bills what it produced; without a usage report, count it ourselves.
    outcome.usage = completeUsage(reported, outcome, context.promptEstimate);

    const canFailOver = outcome.error && !shown && !signal.aborted && index < candidates.length - 1 && FAILOVER_CODES.has(outcome.error.code);
    if (!canFailOver) return outcome;
    console.warn(`ai-chat: ${target.provider}/${target.model} failed (${outcome.error!.code}); trying ${candidates[index + 1]!.provider}`);
    if (reported) await recordAbandonedCall(plan, target, outcome.usage);
  }
}

function completeUsage(reported: ProviderUsage | null, outcome: StepOutcome, promptEstimate: number): ProviderUsage {
  if (reported && reported.completionTokens > 0) return reported;
  if (!outcome.error && reported) return reported;
  const completionTokens = outcome.text ? tokensOf(outcome.text, outcome.target.provider, outcome.target.model) : 0;
  // Nothing came back at all: the provider refused before generating, and bills nothing.
  if (!reported && completionTokens === 0 && outcome.toolCalls.length === 0) return NO_USAGE;
  return {
    promptTokens: reported?.promptTokens || promptEstimate,
    completionTokens: Math.max(reported?.completionTokens ?? 0, completionTokens),
    cachedPromptTokens: reported?.cachedPromptTokens ?? 0,
  };
}

async function recordAbandonedCall(plan: TurnPlan, target: ProviderTarget, usage: ProviderUsage): Promise<void> {
  await plan.user
    .recordUsage({ ...target, ...usage, cost: costOf(target.provider, target.model, usage), conversationId: plan.conversationId })
    .catch((error) => console.error('ai-chat: could not record usage of a failed call', error));
}
