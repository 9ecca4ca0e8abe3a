import 'server-only';
import { randomUUID } from 'node:crypto';
import type { ChatEvent } from '../../protocol/chat-events';
import type { ToolApproval } from '../../protocol/parts';
import type { ReplyRunStore, ToolApprovalState } from '../../store/chat-store';
import type { ResolvedToolApprovalOptions } from './approval-clock';
import type { ApprovalWakeups } from './approval-wakeups';

export interface ApprovalContext {
  store: ReplyRunStore;
  userId: string;
  replyId: string;
  conversationId: string;
  options: ResolvedToolApprovalOptions;
  wakeups: ApprovalWakeups;
  /** Resolves when the approval's row may be written (its conversation saved). */
  ready: () => Promise<void>;
  signal: AbortSignal;
  emit: (event: ChatEvent) => void;
}

/** The answer, and (when it was asked) the approval as the reply's tool-call part keeps it. */
export type ApprovalOutcome =
  | { approved: true; approval?: ToolApproval }
  | { approved: false; approval?: ToolApproval; reason: 'declined' | 'timeout' | 'stopped' | 'unavailable' };

/**
 * Asks the person to approve one tool call and waits for the answer: a durable row (so any tab
 * or instance may answer, and a reload shows it again), a `tool-approval-request` event, then
 * the row read every `pollMs` (at once when answered on this instance) until it is answered, the
 * time runs out (then closed as expired: denied), or the reply is stopped. The wait holds nothing
 * but the turn's own reservation. Never throws: a database failure denies the call.
 */
export async function awaitApproval(call: { id: string; name: string; args: unknown }, context: ApprovalContext): Promise<ApprovalOutcome> {
  const { store, options, signal } = context;
  const id = randomUUID();
  const deadline = options.clock.now() + options.timeoutSeconds * 1000;
  try {
    await context.ready();
    const recorded = await store.requestApproval({
      id,
      userId: context.userId,
      replyId: context.replyId,
      conversationId: context.conversationId,
      toolCallId: call.id,
      toolName: call.name,
      args: call.args ?? {},
      timeoutSeconds: options.timeoutSeconds,
    });
    if (!recorded) return { approved: false, reason: 'unavailable' };
  } catch (error) {
    console.error(`ai-chat: could not ask for approval of ${call.name}`, error);
    return { approved: false, reason: 'unavailable' };
  }
  context.emit({
    type: 'tool-approval-request',
    approvalId: id,
    toolCallId: call.id,
    name: call.name,
    args: call.args ?? {},
    expiresAt: new Date(deadline).toISOString(),
  });

  let state: ToolApprovalState | null = 'pending';
  let closedAs: 'timeout' | 'stopped' = 'timeout';
  try {
    while (state === 'pending') {
      const left = deadline - options.clock.now();
      if (signal.aborted || left <= 0) {
        closedAs = signal.aborted ? 'stopped' : 'timeout';
        state = await store.expireApproval(id);
        break;
      }
      await context.wakeups.wait(id, (stop) => options.clock.sleep(Math.min(options.pollMs, left), AbortSignal.any([stop, signal])));
      state = await store.approvalState(id);
    }
  } catch (error) {
    console.error(`ai-chat: lost track of the approval of ${call.name}; denying it`, error);
    state = await store.expireApproval(id).catch(() => 'expired' as const);
  }
  const approved = state === 'approved';
  const reason = approved ? undefined : state === 'denied' ? 'declined' : closedAs;
  context.emit({ type: 'tool-approval-response', approvalId: id, toolCallId: call.id, approved, ...(reason ? { reason } : {}) });
  if (approved) return { approved: true, approval: { id, state: 'approved' } };
  return { approved: false, approval: { id, state: 'denied', reason: reason! }, reason: reason! };
}

/** What the model is told about a call that did not run. */
export function deniedResult(name: string, outcome: Exclude<ApprovalOutcome, { approved: true }>): { error: string } {
  switch (outcome.reason) {
    case 'declined':
      return { error: `The person declined to run ${name}. Do not retry it; carry on without it or ask them.` };
    case 'timeout':
      return { error: `Nobody approved ${name} in time, so it did not run. Carry on without it.` };
    case 'stopped':
      return { error: `The reply was stopped before ${name} was approved; it did not run.` };
    case 'unavailable':
      return { error: `${name} needs the person's approval, which could not be asked for; it did not run.` };
  }
}
