import { describe, expect, it } from 'vitest';
import { viewFromRecord } from '@/features/ai-chat/client/chat-message-view';
import type { MessageRecord } from '@/features/ai-chat/protocol/records';

/** How a saved reply that ended early reads after a reload: why it ended, when nobody stopped it. */

function savedReply(status: MessageRecord['status'], error?: Record<string, unknown>): MessageRecord {
  return {
    id: crypto.randomUUID(),
    conversationId: crypto.randomUUID(),
    parentId: crypto.randomUUID(),
    role: 'assistant',
    content: 'Half an answer',
    status,
    provider: 'openai',
    model: 'gpt-4o',
    tokens: 3,
    cost: '0.0001',
    toolCalls: null,
    toolResults: null,
    metadata: error ? { error } : {},
    createdAt: new Date().toISOString(),
  };
}

describe('a saved reply that ended early', () => {
  it('whose server died says so, not "Stopped"', () => {
    const view = viewFromRecord(savedReply('partial', { code: 'interrupted', message: 'The server stopped while writing this reply.' }));
    expect(view).toMatchObject({ state: 'partial', notice: 'The server stopped while writing this reply.', error: null });
  });

  it('cut by the time limit says so, not "Stopped"', () => {
    const view = viewFromRecord(savedReply('partial', { code: 'aborted', reason: 'time_limit', message: 'The reply reached its time limit of 600 s.' }));
    expect(view.notice).toBe('The reply reached its time limit of 600 s.');
  });

  it('that a person stopped has no notice (it reads "Stopped"), and a complete one none either', () => {
    expect(viewFromRecord(savedReply('partial', { code: 'aborted', message: 'The reply was stopped.' })).notice).toBeNull();
    expect(viewFromRecord(savedReply('complete')).notice).toBeNull();
  });
});
