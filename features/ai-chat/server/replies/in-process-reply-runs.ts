import 'server-only';
import type { GeneratingReply, NewReplyRun, ReplyRunState, ReplyRunStore, ToolApprovalState } from '../../store/chat-store';

/**
 * Reply runs kept in this process only: the one-line choice (`durableReplies: false`) for a
 * single-instance deployment that wants no run rows or checkpoints in its database. A reply
 * still outlives its request (a reload reads it again while it runs, Stop works from any tab of
 * this instance), but it does not survive the instance, and another instance cannot see it.
 */
export function inProcessReplyRuns(): ReplyRunStore & { readonly inProcess: true } {
  const runs = new Map<string, { run: NewReplyRun; startedAt: string; stopRequested: boolean }>();
  // Tool calls waiting for their user's answer, until the run they belong to is forgotten.
  const approvals = new Map<string, { userId: string; replyId: string; state: ToolApprovalState }>();
  const forget = (runId: string) => {
    runs.delete(runId);
    for (const [id, approval] of approvals) if (approval.replyId === runId) approvals.delete(id);
  };
  return {
    inProcess: true,
    async start(run) {
      runs.set(run.id, { run, startedAt: new Date().toISOString(), stopRequested: false });
      return true;
    },
    async tick(checkpoints, live) {
      // A run is forgotten with its last checkpoint; the registry keeps it for its grace period.
      for (const checkpoint of checkpoints) if (checkpoint.ended) forget(checkpoint.id);
      return live.filter((id) => runs.get(id)?.stopRequested);
    },
    async requestStop(userId, id): Promise<ReplyRunState | null> {
      const entry = runs.get(id);
      if (!entry || entry.run.userId !== userId) return null;
      entry.stopRequested = true;
      return 'generating';
    },
    // Attaching is served by the registry from the live run itself; nothing is kept to replay.
    async read() {
      return null;
    },
    async generating(userId, conversationId): Promise<GeneratingReply[]> {
      return [...runs.values()]
        .filter(({ run }) => run.userId === userId && run.conversationId === conversationId)
        .map(({ run, startedAt }) => ({ id: run.id, parentId: run.parentId, provider: run.provider, model: run.model, startedAt }));
    },
    // Nothing here outlives its instance, so nothing is ever left behind to sweep.
    async sweep() {
      return [];
    },
    async requestApproval(approval) {
      const entry = runs.get(approval.replyId);
      if (!entry || entry.run.userId !== approval.userId || entry.run.conversationId !== approval.conversationId) return false;
      approvals.set(approval.id, { userId: approval.userId, replyId: approval.replyId, state: 'pending' });
      return true;
    },
    async answerApproval(userId, replyId, id, approved) {
      const approval = approvals.get(id);
      if (!approval || approval.userId !== userId || approval.replyId !== replyId) return null;
      if (approval.state === 'pending') approval.state = approved ? 'approved' : 'denied';
      return approval.state;
    },
    async approvalState(id) {
      return approvals.get(id)?.state ?? null;
    },
    async expireApproval(id) {
      const approval = approvals.get(id);
      if (!approval) return null;
      if (approval.state === 'pending') approval.state = 'expired';
      return approval.state;
    },
  };
}

/** Whether a run store is this process's own (no question-and-run transaction in the database). */
export function isInProcess(store: ReplyRunStore): boolean {
  return (store as { inProcess?: boolean }).inProcess === true;
}
