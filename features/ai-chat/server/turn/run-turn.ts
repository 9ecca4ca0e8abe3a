import 'server-only';
import type { ChatEvent } from '../../protocol/chat-events';
import { asChatError, ChatError } from '../../protocol/errors';
import type { ConversationRecord, MessageRecord } from '../../protocol/records';
import type { NewMessage, NewReplyRun } from '../../store/chat-store';
import { updateRollingSummary, usageAlertsCrossed } from './after-turn';
import { writeModelTitle } from './model-title';
import { saveContinuation } from './continue-reply';
import { stepTurn, type TurnResult } from './step-turn';
import type { ResolvedHandlerOptions } from '../http/handler-options';
import type { SseFraming } from '../http/sse-stream';
import type { TurnPlan } from './plan-turn';
import { replyFallback } from './reply-fallback';
import { assistantRow, cacheWrites, stopReason } from './answer-row';
import type { ReplyRegistry } from '../replies/reply-registry';
import { ReplyRun } from '../replies/reply-run';
import { isInProcess } from '../replies/in-process-reply-runs';
import type { ApprovalWakeups } from '../approvals/approval-wakeups';

/**
 * Starts the turn detached from the request and returns the reply as SSE, the POST being its
 * first subscriber. The turn owns its abort: leaving (a closed tab, a reload, a lost network)
 * only unsubscribes, and the reply still ends, is saved whole and is billed. Only a Stop (this
 * instance at once, another through the database) or the time limit aborts the provider call.
 */
export function startTurn(plan: TurnPlan, options: ResolvedHandlerOptions, replies: ReplyRegistry, framing?: SseFraming): ReadableStream<Uint8Array> {
  const run = new ReplyRun(
    {
      id: plan.assistantMessageId,
      userId: plan.user.userId,
      conversationId: plan.conversationId,
      parentId: plan.assistantParentId,
      provider: plan.targets[0]!.provider,
      model: plan.targets[0]!.model,
    },
    (events) => replyFallback(plan, events),
  );
  replies.add(run);
  run.limitDuration(options.maxReplySeconds);
  const runRow = (): NewReplyRun => ({
    ...run.info,
    reservationId: plan.ledger.reservationId,
    expectedLeafId: plan.existing?.activeLeafId ?? null,
    fallback: run.fallbackNow(),
  });
  const record: RunRecording = {
    row: runRow,
    withQuestion: !isInProcess(replies.store),
    persist: () => replies.persist(run, runRow()),
    persisted: (started) => replies.persisted(run, started),
    approvals: run.approvals,
  };
  void runTurn(plan, options, run.abort.signal, (event) => run.emit(event), record).finally(() => run.end());
  return run.subscribe(options.pingIntervalMs, framing);
}

/** How the turn writes its reply's run row: with its question where the store can, else on its own after it. */
interface RunRecording {
  row: () => NewReplyRun;
  /** The run's row goes to the database, so it may be written in the question's transaction. */
  withQuestion: boolean;
  persist: () => void;
  persisted: (started: boolean) => void;
  /** The reply's approval waits, woken by an answer given on this instance. */
  approvals: ApprovalWakeups;
}

async function runTurn(
  plan: TurnPlan,
  options: ResolvedHandlerOptions,
  signal: AbortSignal,
  emit: (event: ChatEvent) => void,
  run: RunRecording,
): Promise<void> {
  emit({
    type: 'start',
    conversationId: plan.conversationId,
    userMessageId: plan.userMessage?.id ?? plan.assistantParentId,
    assistantMessageId: plan.assistantMessageId,
    provider: plan.targets[0]!.provider,
    model: plan.targets[0]!.model,
    ...(plan.continues ? { continues: plan.continues.id } : {}),
  });
  try {
    await saveTurn(plan, options, signal, emit, run);
  } catch (error) {
    // Whatever threw (a hook, a store call, a bug), the turn still settles and still ends.
    const failure = asChatError(error);
    await plan.ledger.settle({ messageId: null, conversationId: plan.conversationId });
    await fail(failure, plan, options, emit);
  }
}

async function saveTurn(
  plan: TurnPlan,
  options: ResolvedHandlerOptions,
  signal: AbortSignal,
  emit: (event: ChatEvent) => void,
  run: RunRecording,
): Promise<void> {
  const { user } = plan;
  // The conversation (if new) and the question are saved while the provider starts, so the writes
  // never delay the first token; if they fail, the provider call is abandoned.
  const turnAbort = new AbortController();
  const abortTurn = () => turnAbort.abort();
  if (signal.aborted) abortTurn();
  signal.addEventListener('abort', abortTurn, { once: true });
  // stepTurn starts first and runs to its first wait: the provider request on its way (or, with the
  // response cache on, the cache read). The writes start at once beside it, not after its first
  // event: the client refreshes its chat list on `start`. The run's row goes with the question.
  // A tool approval's row refers to the conversation: it is written once the question is saved.
  let questionSettled = () => {};
  const questionSaved = new Promise<void>((resolve) => (questionSettled = resolve));
  const conversing = stepTurn(plan, options, turnAbort.signal, emit, { wakeups: run.approvals, questionSaved: () => questionSaved });
  const saving = saveQuestion(plan, run).then(
    (saved) => ({ ...saved, error: undefined }),
    (error: unknown) => {
      abortTurn();
      return { conversation: null, userMessage: null, error: asChatError(error) };
    },
  );
  void saving.then(questionSettled);

  let result: TurnResult;
  try {
    result = await conversing;
  } finally {
    signal.removeEventListener('abort', abortTurn);
  }
  // A stop's error says why: the user's Stop, or the time limit (the abort's reason).
  if (result.error?.code === 'aborted' && signal.reason instanceof ChatError) result = { ...result, error: signal.reason };
  const saved = await saving;
  if (saved.error) {
    await plan.ledger.settle({ messageId: null, conversationId: plan.conversationId });
    return fail(saved.error, plan, options, emit);
  }
  const conversation = saved.conversation;

  const { cost } = plan.ledger.totals();
  let assistant: MessageRecord | null = null;
  // A failed turn is saved even with nothing in it, so it stays visible and can be answered under;
  // a stopped one with nothing in it leaves no row.
  const failed = result.error !== undefined && result.error.code !== 'aborted';
  if (plan.continues && result.parts.length > 0) {
    // Continue: the words join the reply they carry on; a continuation with nothing leaves it as it was.
    try {
      assistant = await saveContinuation(plan, plan.continues, assistantRow(plan, result, cost));
    } catch (error) {
      return fail(asChatError(error), plan, options, emit);
    }
  } else if (!plan.continues && (result.parts.length > 0 || failed)) {
    try {
      // The answer and the turn's settlement together (one transaction where the store can).
      assistant = await plan.ledger.settleWithAnswer(assistantRow(plan, result, cost));
    } catch (error) {
      return fail(asChatError(error), plan, options, emit);
    }
  } else {
    await plan.ledger.settle({ messageId: null, conversationId: plan.conversationId });
  }

  emit({
    type: 'usage',
    promptTokens: result.usage.promptTokens,
    completionTokens: result.usage.completionTokens,
    totalTokens: result.usage.promptTokens + result.usage.completionTokens,
    cost,
    cachedPromptTokens: result.usage.cachedPromptTokens,
    cacheWriteTokens: cacheWrites(result),
    reasoningTokens: result.usage.reasoningTokens ?? 0,
  });
  if (result.error) {
    await fail(result.error, plan, options, emit);
  } else {
    emit({ type: 'finish', messageId: plan.continues?.id ?? plan.assistantMessageId, finishReason: result.finishReason });
  }
  await runHook('onFinish', () =>
    options.onFinish?.({ userId: user.userId, conversation, userMessage: saved.userMessage, assistantMessage: assistant }),
  );
  await reportUsage(plan, options, result, cost);
  // Started unconditionally: `waitUntil?.(…)` alone would skip evaluating its argument.
  const summarising = updateRollingSummary(plan, conversation, options);
  options.waitUntil?.(summarising);
  const titling = writeModelTitle(plan, conversation, { question: plan.userMessage?.content ?? '', answer: assistant?.content ?? '' }, options);
  options.waitUntil?.(titling);
}

/**
 * The conversation (if new), the question with its parts and the reply's run row, in one
 * transaction where the store can; then the question's files are bound to it.
 */
async function saveQuestion(plan: TurnPlan, run: RunRecording): Promise<{ conversation: ConversationRecord; userMessage: MessageRecord | null }> {
  const question = plan.userMessage;
  const row: NewMessage | null = question && {
    id: question.id,
    conversationId: plan.conversationId,
    parentId: question.parentId,
    role: 'user',
    content: question.content,
    parts: question.parts,
    tokens: question.tokens,
  };
  let conversation: ConversationRecord;
  let userMessage: MessageRecord | null = null;
  if (row && run.withQuestion && plan.user.saveQuestionWithRun) {
    const saved = await plan.user.saveQuestionWithRun({ conversation: plan.newConversation, message: row, run: run.row() });
    run.persisted(saved.runStarted);
    conversation = saved.conversation ?? plan.existing!;
    userMessage = saved.message;
  } else {
    if (plan.newConversation && row && plan.user.createConversationWithMessage) {
      // A new chat's two writes in one transaction where the store can.
      ({ conversation, message: userMessage } = await plan.user.createConversationWithMessage(plan.newConversation, row));
    } else {
      conversation = plan.newConversation ? await plan.user.createConversation(plan.newConversation) : plan.existing!;
      if (row) userMessage = await plan.user.appendMessage(row);
    }
    run.persist();
  }
  if (!question) return { conversation, userMessage: null };
  if (question.attachmentIds.length > 0) {
    await plan.user.attachments.attach(question.attachmentIds, { conversationId: plan.conversationId, messageId: question.id });
  }
  return { conversation, userMessage };
}

async function fail(error: ChatError, plan: TurnPlan, options: ResolvedHandlerOptions, emit: (event: ChatEvent) => void): Promise<void> {
  emit({ type: 'error', code: error.code, message: error.message, ...limitFacts(error), ...stopReason(error) });
  if (error.code !== 'aborted' && error.status >= 500) console.error('ai-chat: turn failed', error.cause ?? error);
  await runHook('onError', () => options.onError?.(error, { userId: plan.user.userId, conversationId: plan.conversationId }));
}

/** A usage-limit error's facts for the error event, as a 429 body carries them. */
function limitFacts(error: ChatError): Pick<Extract<ChatEvent, { type: 'error' }>, 'limit' | 'resetsAt' | 'retryable'> {
  const details = error.details;
  if (error.code !== 'usage_limit' || !details) return {};
  const limit = details.limit;
  return {
    ...(limit === 'tokens_per_day' || limit === 'cost_per_month' || limit === 'requests_per_minute' ? { limit } : {}),
    ...(typeof details.resetsAt === 'string' ? { resetsAt: details.resetsAt } : {}),
    ...(typeof details.retryable === 'boolean' ? { retryable: details.retryable } : {}),
  };
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
