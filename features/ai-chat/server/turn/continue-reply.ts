import 'server-only';
import { ChatError } from '../../protocol/errors';
import type { MessagePart } from '../../protocol/parts';
import type { MessageRecord } from '../../protocol/records';
import type { TurnPlan } from './plan-turn';
import { addMoney } from '../../protocol/decimal';
import type { ContinuedMessage, NewMessage } from '../../store/chat-store';

/**
 * Continue: a reply cut by its length limit or stopped goes on. The model gets the branch up to
 * the cut reply and this instruction (never saved); what it writes is joined to the same reply.
 */
export const CONTINUE_INSTRUCTION =
  'Continue your previous reply from exactly where it stopped, mid-sentence if it stopped there. ' +
  'Do not repeat anything already written and add no preamble.';

/** A reply that can be continued: the assistant's, cut by its length limit or stopped. */
export function continuableReply(branch: readonly MessageRecord[], id: string): MessageRecord {
  const reply = branch.at(-1);
  if (!reply || reply.id !== id) throw new ChatError('not_found', 'Message not found.', { field: 'continueMessageId' });
  const finishReason = reply.metadata.finishReason;
  const cut = reply.role === 'assistant' && (reply.status === 'partial' || finishReason === 'length' || finishReason === 'aborted');
  if (!cut || reply.content.trim() === '') {
    throw new ChatError('bad_request', 'continueMessageId: only a reply cut by its length limit or stopped can be continued.', {
      field: 'continueMessageId',
    });
  }
  return reply;
}

/**
 * The cut reply carried on by the continuation's row: parts joined (a text part running on
 * from the last one is one text), the continuation's status and finish, the costs summed.
 */
export function continuedReply(cut: MessageRecord, more: NewMessage): ContinuedMessage {
  const before: MessagePart[] = cut.parts ? [...cut.parts] : cut.content ? [{ type: 'text', text: cut.content }] : [];
  const parts = [...before];
  for (const part of more.parts ?? []) {
    const last = parts.at(-1);
    if (part.type === 'text' && last?.type === 'text') parts[parts.length - 1] = { ...last, text: last.text + part.text };
    else parts.push(part);
  }
  // The stop (or failure) that cut the reply no longer describes it.
  const kept = Object.fromEntries(Object.entries(cut.metadata).filter(([key]) => key !== 'error'));
  const cost = cut.cost === null || more.cost == null ? null : addMoney(cut.cost, more.cost);
  const continuations = typeof kept.continuations === 'number' ? kept.continuations + 1 : 1;
  return {
    id: cut.id,
    content: cut.content + (more.content ?? ''),
    parts,
    status: more.status ?? 'complete',
    tokens: (cut.tokens ?? 0) + (more.tokens ?? 0),
    cost,
    metadata: { ...kept, ...more.metadata, continuations },
  };
}

/** Writes the reply carried on, then settles the turn against it; settled without it if the write fails. */
export async function saveContinuation(plan: TurnPlan, cut: MessageRecord, more: NewMessage): Promise<MessageRecord> {
  const target = { messageId: cut.id, conversationId: plan.conversationId };
  let saved: MessageRecord | null;
  try {
    saved = await plan.user.continueMessage(continuedReply(cut, more));
  } catch (error) {
    await plan.ledger.settle({ ...target, messageId: null });
    throw error;
  }
  await plan.ledger.settle(saved ? target : { ...target, messageId: null });
  if (!saved) throw new ChatError('not_found', 'The reply to continue is gone.');
  return saved;
}
