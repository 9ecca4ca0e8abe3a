import 'server-only';
import { SSE_PING_FRAME, toSseFrame, type ChatEvent, type ChatFinishReason } from '../protocol/chat-events';
import { asChatError, ChatError } from '../protocol/errors';
import type { ConversationRecord, MessageRecord, MessageStatus } from '../protocol/records';
import type { ProviderMessage, ProviderToolCall, ProviderUsage } from '../providers/types';
import { streamStep } from './provider-step';
import { addUsage, costOf, NO_USAGE, tokensOf } from './accounting';
import type { ProviderTarget, ResolvedHandlerOptions } from './handler-options';
import { updateRollingSummary, usageAlertsCrossed } from './after-turn';
import type { TurnPlan } from './plan-turn';
import { responseCacheKey, responseCacheTtl } from './response-cache';
import { executeToolCall, toToolSpecs } from './tools';

const encoder = new TextEncoder();

/**
 * The reply as an SSE body. The turn runs to its end even when the client leaves: leaving aborts
 * the provider call at once, and what arrived is still saved (as partial) and billed.
 */
export function streamTurn(plan: TurnPlan, options: ResolvedHandlerOptions, requestSignal: AbortSignal): ReadableStream<Uint8Array> {
  const abort = new AbortController();
  const onRequestAbort = () => abort.abort();
  requestSignal.addEventListener('abort', onRequestAbort, { once: true });
  let open = true;
  let lastSentAt = Date.now();

  return new ReadableStream<Uint8Array>({
    start(controller) {
      const send = (frame: string) => {
        if (!open) return;
        try {
          controller.enqueue(encoder.encode(frame));
          lastSentAt = Date.now();
        } catch {
          open = false;
        }
      };
      const ping = setInterval(() => {
        if (Date.now() - lastSentAt >= options.pingIntervalMs) send(SSE_PING_FRAME);
      }, options.pingIntervalMs);

      void executeTurn(plan, options, abort.signal, (event) => send(toSseFrame(event))).finally(() => {
        clearInterval(ping);
        requestSignal.removeEventListener('abort', onRequestAbort);
        if (open) {
          open = false;
          controller.close();
        }
      });
    },
    cancel() {
      open = false;
      abort.abort();
    },
  });
}

/** What a turn produced, across all its provider calls (tool steps, a failover). */
interface TurnResult {
  /** The reply came from the response cache: no provider call, nothing billed. */
  cached?: boolean;
  target: ProviderTarget;
  text: string;
  toolCalls: ProviderToolCall[];
  toolResults: { id: string; result: unknown }[];
  usage: ProviderUsage;
  finishReason: ChatFinishReason;
  error?: ChatError;
}

async function executeTurn(
  plan: TurnPlan,
  options: ResolvedHandlerOptions,
  signal: AbortSignal,
  emit: (event: ChatEvent) => void,
): Promise<void> {
  const { user } = plan;
  emit({
    type: 'start',
    conversationId: plan.conversationId,
    userMessageId: plan.userMessage?.id ?? plan.assistantParentId,
    assistantMessageId: plan.assistantMessageId,
    provider: plan.targets[0]!.provider,
    model: plan.targets[0]!.model,
  });

  // The conversation (if new) and the question are saved while the provider starts, so the writes
  // never delay the first token; if they fail, the provider call is abandoned.
  const turnAbort = new AbortController();
  const abortTurn = () => turnAbort.abort();
  if (signal.aborted) abortTurn();
  signal.addEventListener('abort', abortTurn, { once: true });
  const saving = saveQuestion(plan).then(
    (saved) => ({ ...saved, error: undefined }),
    (error: unknown) => {
      abortTurn();
      return { conversation: null, userMessage: null, error: asChatError(error) };
    },
  );

  const result = await converse(plan, options, turnAbort.signal, emit);
  signal.removeEventListener('abort', abortTurn);
  const saved = await saving;
  if (saved.error) {
    await settle(plan, result, { messageId: null, conversationSaved: false });
    return fail(saved.error, plan, options, emit);
  }
  const conversation = saved.conversation;

  const status: MessageStatus = result.error ? (result.error.code === 'aborted' ? 'partial' : 'error') : 'complete';
  const cost = costOf(result.target.provider, result.target.model, result.usage);
  let assistant: MessageRecord | null = null;
  if (result.text.length > 0 || result.toolCalls.length > 0) {
    try {
      assistant = await user.appendMessage({
        id: plan.assistantMessageId,
        conversationId: plan.conversationId,
        parentId: plan.assistantParentId,
        role: 'assistant',
        content: result.text,
        status,
        provider: result.target.provider,
        model: result.target.model,
        tokens: result.usage.completionTokens || tokensOf(result.text, result.target.provider, result.target.model),
        cost,
        toolCalls: result.toolCalls.length > 0 ? result.toolCalls : null,
        toolResults: result.toolResults.length > 0 ? result.toolResults : null,
        metadata: {
          finishReason: result.finishReason,
          promptTokens: result.usage.promptTokens,
          completionTokens: result.usage.completionTokens,
          cachedPromptTokens: result.usage.cachedPromptTokens,
          ...(result.cached ? { cached: true } : {}),
          ...(result.error ? { error: { code: result.error.code, message: result.error.message } } : {}),
        },
      });
    } catch (error) {
      await settle(plan, result, { messageId: null, conversationSaved: true });
      return fail(asChatError(error), plan, options, emit);
    }
  }
  await settle(plan, result, { messageId: assistant?.id ?? null, conversationSaved: true });

  emit({
    type: 'usage',
    promptTokens: result.usage.promptTokens,
    completionTokens: result.usage.completionTokens,
    totalTokens: result.usage.promptTokens + result.usage.completionTokens,
    cost,
  });
  if (result.error) {
    await fail(result.error, plan, options, emit);
  } else {
    emit({ type: 'finish', messageId: plan.assistantMessageId, finishReason: result.finishReason });
  }
  await runHook('onFinish', () =>
    options.onFinish?.({ userId: user.userId, conversation, userMessage: saved.userMessage, assistantMessage: assistant }),
  );
  await reportUsage(plan, options, result, cost);
  // Started unconditionally: `waitUntil?.(…)` alone would skip evaluating its argument.
  const summarising = updateRollingSummary(plan, conversation, options);
  options.waitUntil?.(summarising);
}

/** Calls the provider, runs tools and calls again, until the model answers or the steps run out. */
async function converse(
  plan: TurnPlan,
  options: ResolvedHandlerOptions,
  signal: AbortSignal,
  emit: (event: ChatEvent) => void,
): Promise<TurnResult> {
  const messages: ProviderMessage[] = [...plan.fitted.messages];
  const tools = options.tools.length > 0 ? toToolSpecs(options.tools) : undefined;
  const result: TurnResult = {
    target: plan.targets[0]!,
    text: '',
    toolCalls: [],
    toolResults: [],
    usage: NO_USAGE,
    finishReason: 'other',
  };
  let promptEstimate = plan.fitted.promptTokens;

  const cacheKey = responseCacheKey(plan, options, result.target);
  if (cacheKey) {
    const hit = await plan.user.getCachedReply(cacheKey).catch(() => null);
    if (hit) {
      emit({ type: 'text-delta', delta: hit.content });
      return { ...result, cached: true, text: hit.content, finishReason: 'stop' };
    }
  }

  for (let step = 0; step < options.maxToolSteps; step += 1) {
    const lastStep = step === options.maxToolSteps - 1;
    const candidates = step === 0 && result.text.length === 0 ? plan.targets : [result.target];
    const outcome = await streamStep(candidates, {
      plan,
      options,
      signal,
      emit,
      messages,
      tools,
      toolChoice: tools && lastStep ? 'none' : undefined,
      promptEstimate,
    });
    result.target = outcome.target;
    result.text += outcome.text;
    result.usage = addUsage(result.usage, outcome.usage);
    result.finishReason = outcome.finishReason;
    result.toolCalls.push(...outcome.toolCalls);
    if (outcome.error) return { ...result, error: outcome.error, finishReason: outcome.error.code === 'aborted' ? 'aborted' : 'error' };
    if (outcome.toolCalls.length === 0 || !tools) {
      if (cacheKey && result.finishReason === 'stop' && result.text) {
        await plan.user
          .putCachedReply(cacheKey, { ...result.target, content: result.text }, responseCacheTtl(options))
          .catch((error) => console.error('ai-chat: could not cache the reply', error));
      }
      return result;
    }

    messages.push({ role: 'assistant', content: outcome.text, toolCalls: outcome.toolCalls });
    for (const call of outcome.toolCalls) {
      const toolResult = await executeToolCall(options.tools, call, {
        userId: plan.user.userId,
        conversationId: plan.conversationId,
        signal,
      });
      result.toolResults.push({ id: call.id, result: toolResult });
      emit({ type: 'tool-result', id: call.id, result: toolResult });
      const content = JSON.stringify(toolResult);
      messages.push({ role: 'tool', toolCallId: call.id, name: call.name, content });
      promptEstimate += outcome.usage.completionTokens + tokensOf(content, result.target.provider, result.target.model);
    }
    if (signal.aborted) return { ...result, error: new ChatError('aborted', 'The reply was stopped.'), finishReason: 'aborted' };
  }
  return result;
}

async function saveQuestion(plan: TurnPlan): Promise<{ conversation: ConversationRecord; userMessage: MessageRecord | null }> {
  const conversation = plan.newConversation ? await plan.user.createConversation(plan.newConversation) : plan.existing!;
  const userMessage = plan.userMessage
    ? await plan.user.appendMessage({
        id: plan.userMessage.id,
        conversationId: plan.conversationId,
        parentId: plan.userMessage.parentId,
        role: 'user',
        content: plan.userMessage.content,
        tokens: plan.userMessage.tokens,
      })
    : null;
  return { conversation, userMessage };
}

/** Replaces the reservation with what the turn billed (zero when the provider never answered). */
async function settle(plan: TurnPlan, result: TurnResult, saved: { messageId: string | null; conversationSaved: boolean }): Promise<void> {
  await plan.user
    .settleUsage(plan.reservationId, {
      ...result.target,
      ...result.usage,
      cost: costOf(result.target.provider, result.target.model, result.usage),
      messageId: saved.messageId,
      // A conversation whose creation failed does not exist to point at.
      conversationId: saved.conversationSaved ? plan.conversationId : null,
    })
    .catch((error) => console.error('ai-chat: could not settle usage', error));
}

async function fail(error: ChatError, plan: TurnPlan, options: ResolvedHandlerOptions, emit: (event: ChatEvent) => void): Promise<void> {
  emit({ type: 'error', code: error.code, message: error.message });
  if (error.code !== 'aborted' && error.status >= 500) console.error('ai-chat: turn failed', error.cause ?? error);
  await runHook('onError', () => options.onError?.(error, { userId: plan.user.userId, conversationId: plan.conversationId }));
}

async function reportUsage(plan: TurnPlan, options: ResolvedHandlerOptions, result: TurnResult, cost: string | null): Promise<void> {
  if (!options.onUsage && !options.onUsageAlert) return;
  await runHook('onUsage', async () => {
    const totals = await plan.user.getUsageSummary();
    for (const alert of usageAlertsCrossed(plan, options, { usage: result.usage, cost }, totals)) {
      await runHook('onUsageAlert', () => options.onUsageAlert?.(alert));
    }
    await options.onUsage?.({
      userId: plan.user.userId,
      conversationId: plan.conversationId,
      ...result.target,
      ...result.usage,
      cost,
      tokensToday: totals.tokensToday,
      costThisMonth: totals.costThisMonth,
      limits: plan.limits,
    });
  });
}

/** An app's hook must never break a turn that already succeeded. */
async function runHook(name: string, hook: () => unknown): Promise<void> {
  try {
    await hook();
  } catch (error) {
    console.error(`ai-chat: the ${name} hook threw`, error);
  }
}
