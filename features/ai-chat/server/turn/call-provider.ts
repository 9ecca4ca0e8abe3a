import 'server-only';
import { PROVIDERS } from '../../providers/registry';
import { connectionLostMidReply } from '../../providers/map-provider-error';
import type { ChatEvent, ChatFinishReason } from '../../protocol/chat-events';
import { asChatError, ChatError, type ChatErrorCode } from '../../protocol/errors';
import type { MessagePart, ReasoningPart } from '../../protocol/parts';
import type { ProviderMessage, ProviderToolCall, ProviderUsage } from '../../providers/types';
import { addUsage } from '../ledger/accounting';
import type { ProviderTarget, ResolvedHandlerOptions } from '../http/handler-options';
import type { TurnPlan } from './plan-turn';
import { StepParts } from './step-parts';
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
  /** Whether anything of the turn has reached the user already (a `retrying` notice then is noise). */
  shownBefore: boolean;
}

export interface StepOutcome {
  target: ProviderTarget;
  text: string;
  toolCalls: ProviderToolCall[];
  /** What the model wrote, in order: reasoning, text, tool calls, refusal. */
  parts: MessagePart[];
  /** The step's reasoning blocks as received, for the assistant message of the next tool step. */
  reasoning: ReasoningPart[];
  /** What the ledger metered for this step, failed attempts on other providers included. */
  usage: ProviderUsage;
  finishReason: ChatFinishReason;
  error?: ChatError;
}

/**
 * One provider call, failing over to the next candidate only while nothing has been shown.
 * Every attempt is metered by the turn's ledger, and a backup is tried only if its call fits.
 * A call that streams past its hold (a server ignoring `max_tokens`) is stopped there and ends
 * as cut for length, keeping and billing what streamed.
 */
export async function callProvider(candidates: readonly ProviderTarget[], context: StepContext): Promise<StepOutcome> {
  const { plan, options, signal, emit } = context;
  let usage: ProviderUsage = { promptTokens: 0, completionTokens: 0, cachedPromptTokens: 0 };
  for (let index = 0; ; index += 1) {
    const target = candidates[index]!;
    const outcome: StepOutcome = { target, text: '', toolCalls: [], parts: [], reasoning: [], usage, finishReason: 'other' };
    const parts = new StepParts(target.provider, emit);
    let reported: ProviderUsage | null = null;
    let accepted = false;
    let complete = false;
    let shown = false;
    let overHold = false;
    // The call's own abort: the turn's Stop, or the ledger's when the call passes its hold.
    const call = new AbortController();
    const stopCall = () => call.abort(signal.reason);
    if (signal.aborted) stopCall();
    signal.addEventListener('abort', stopCall, { once: true });
    /** Counts a piece of output against the hold; false when the call must stop here. */
    const withinHold = (piece: string) => plan.ledger.withinHold(piece) || !(overHold = true);
    plan.ledger.callStarted({ target, promptTokens: context.promptEstimate, streamedText: () => parts.streamedText() });
    try {
      const events = options.providers[target.provider]!.stream({
        model: target.model,
        system: plan.fitted.system,
        messages: context.messages,
        temperature: plan.temperature,
        maxTokens: plan.replyTokens,
        tools: context.tools,
        toolChoice: context.toolChoice,
        ...(plan.reasoning ? { reasoning: plan.reasoning } : {}),
        signal: call.signal,
        onRetry: (retry) => {
          if (!shown && !context.shownBefore) emit({ type: 'retrying', ...retry });
        },
      });
      for await (const event of events) {
        if (event.type === 'accepted') {
          accepted = true;
        } else if (event.type === 'text-delta') {
          shown = true;
          outcome.text += event.delta;
          parts.text(event.delta);
          emit({ type: 'text-delta', delta: event.delta });
          if (!withinHold(event.delta)) break;
        } else if (event.type === 'reasoning-start') {
          parts.reasoningStart();
        } else if (event.type === 'reasoning-delta') {
          shown = true;
          parts.reasoningDelta(event.delta);
          if (!withinHold(event.delta)) break;
        } else if (event.type === 'reasoning-part') {
          parts.reasoningPart(event.part);
        } else if (event.type === 'refusal-delta') {
          shown = true;
          parts.refusal(event.delta);
          if (!withinHold(event.delta)) break;
        } else if (event.type === 'tool-call') {
          shown = true;
          outcome.toolCalls.push({ id: event.id, name: event.name, args: event.args });
          parts.toolCall(event);
          emit({ type: 'tool-call', id: event.id, name: event.name, args: event.args });
          if (!withinHold(JSON.stringify([event.name, event.args]))) break;
        } else if (event.type === 'usage') {
          reported = {
            promptTokens: event.promptTokens,
            completionTokens: event.completionTokens,
            cachedPromptTokens: event.cachedPromptTokens,
            ...(event.cacheWriteTokens === undefined ? {} : { cacheWriteTokens: event.cacheWriteTokens, cacheWrite1hTokens: event.cacheWrite1hTokens }),
            ...(event.reasoningTokens === undefined ? {} : { reasoningTokens: event.reasoningTokens }),
          };
          plan.ledger.promptReported(event.promptTokens);
        } else if (event.type === 'finish') {
          complete = true;
          outcome.finishReason = event.finishReason;
          parts.end();
        }
      }
      if (outcome.toolCalls.length > 0) outcome.finishReason = 'tool-calls';
    } catch (error) {
      // Ending a stream we stopped may throw on its way out: that is not the call's failure.
      if (!overHold) outcome.error = signal.aborted ? new ChatError('aborted', 'The reply was stopped.', { cause: error }) : asChatError(error);
      // The provider answered and then the connection broke: not "could not reach".
      if (outcome.error?.code === 'network' && shown) outcome.error = connectionLostMidReply(target.provider, error);
    } finally {
      signal.removeEventListener('abort', stopCall);
    }
    if (overHold) {
      // Leaving the loop ends the SDK's stream; the abort makes sure the request goes with it.
      call.abort();
      console.warn(`ai-chat: ${target.provider}/${target.model} streamed past its max tokens; stopped at the turn's hold`);
      outcome.finishReason = 'length';
    }
    parts.end();
    if (outcome.finishReason === 'content-filter' && !parts.hasRefusal()) {
      // Claude's refusal streams as text and says so only at the end; a filter with nothing in it
      // is still a refusal to show, not an empty answer.
      if (PROVIDERS[target.provider].refusalStreamsAsText || outcome.text === '') parts.textBecomesRefusal();
    }
    outcome.parts = parts.parts;
    outcome.reasoning = parts.reasoning;
    const metered = plan.ledger.meter({
      target,
      reported,
      accepted,
      complete: complete && !outcome.error,
      // Reasoning and refusal text streamed too: counted when the provider reported nothing.
      text: parts.streamedText(),
      toolCalls: outcome.toolCalls,
      promptTokens: context.promptEstimate,
    });
    usage = addUsage(usage, metered.usage);
    outcome.usage = usage;

    const canFailOver = outcome.error && !shown && !signal.aborted && index < candidates.length - 1 && FAILOVER_CODES.has(outcome.error.code);
    if (!canFailOver) return outcome;
    const next = candidates[index + 1]!;
    console.warn(`ai-chat: ${target.provider}/${target.model} failed (${outcome.error!.code}); trying ${next.provider}`);
    try {
      await plan.ledger.beforeCall({ target: next, promptTokens: context.promptEstimate, replyTokens: plan.replyTokens });
    } catch (error) {
      return { ...outcome, error: asChatError(error) };
    }
  }
}
