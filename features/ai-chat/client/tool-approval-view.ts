import type { ChatEvent } from '../protocol/chat-events';
import type { ToolActivity } from './chat-message-view';

type ApprovalEvent = Extract<ChatEvent, { type: 'tool-approval-request' | 'tool-approval-response' }>;

/** The reply's tools with an approval event applied to its call: asked (with where to answer), then answered. */
export function withToolApproval(tools: readonly ToolActivity[], event: ApprovalEvent, replyId: string): ToolActivity[] {
  return tools.map((tool) => {
    if (tool.id !== event.toolCallId) return tool;
    if (event.type === 'tool-approval-request') {
      return { ...tool, approval: { id: event.approvalId, state: 'requested', expiresAt: event.expiresAt, replyId } };
    }
    const reason = event.reason ? { reason: event.reason } : {};
    return { ...tool, approval: { id: event.approvalId, state: event.approved ? 'approved' : 'denied', ...reason, replyId } };
  });
}
