import 'server-only';
import { z } from 'zod';
import { ChatError } from '../../protocol/errors';
import type { ToolApprovalAnswerResponse } from '../../protocol/rest';
import type { UserChatStore } from '../../store/chat-store';
import { isUuid } from '../../store/ids';
import { json, readJsonBody } from '../http/http';
import type { ReplyRegistry } from '../replies/reply-registry';

const ANSWER_BODY_BYTES = 1024;
const answerSchema = z.strictObject({ approved: z.boolean() });

/**
 * `POST replies/:replyId/approvals/:approvalId` `{ approved }`: the person's answer to a tool
 * call of their reply, from any tab or instance. Checked in the database against the pending
 * approval of this user's reply: another user's (or no such) approval is 404, an approval no
 * longer pending (answered, timed out, its reply ended) is 409. An answer given on the instance
 * generating the reply wakes its wait at once; elsewhere the wait reads it within its poll.
 */
export async function answerApproval(
  request: Request,
  user: UserChatStore,
  replies: ReplyRegistry,
  replyId: string,
  approvalId: string,
): Promise<Response> {
  if (!isUuid(replyId) || !isUuid(approvalId)) throw notFound();
  const { approved } = await readJsonBody(request, answerSchema, ANSWER_BODY_BYTES);
  const state = await replies.store.answerApproval(user.userId, replyId, approvalId, approved);
  if (state === null) throw notFound();
  const counted = state === (approved ? 'approved' : 'denied');
  // A second answer (even the same one) is refused: the first one is what the tool call got.
  if (!counted) {
    throw new ChatError('conflict', 'This tool call was already answered, or is no longer waiting.', { details: { state } });
  }
  replies.get(replyId, user.userId)?.approvals.wake(approvalId);
  return json({ id: approvalId, state } satisfies ToolApprovalAnswerResponse);
}

function notFound(): ChatError {
  return new ChatError('not_found', 'Approval not found.');
}
