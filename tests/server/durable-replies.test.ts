import { describe, expect, it } from 'vitest';
import { ReplyRun } from '@/features/ai-chat/server/replies/reply-run';
import { describeDurableReplies } from './durable-replies.suite';

// On PGlite here; on the local PostgreSQL server in durable-replies-postgres.test.ts.
describeDurableReplies('pglite');

describe('a reply run checkpoints by time or by size', () => {
  const info = { id: crypto.randomUUID(), userId: crypto.randomUUID(), conversationId: crypto.randomUUID(), parentId: null, provider: 'openai', model: 'gpt-4o' };

  it('is due after the interval, or at once when 16 KB of events piled up, and its chunk coalesces the deltas', () => {
    const run = new ReplyRun(info, () => null);
    run.persisted = true;
    const now = Date.now();
    run.emit({ type: 'text-delta', delta: 'a' });
    expect(run.checkpointDue(now, 1_000)).toBe(false);
    expect(run.checkpointDue(now + 1_000, 1_000)).toBe(true);
    for (let i = 0; i < 200; i += 1) run.emit({ type: 'text-delta', delta: 'x'.repeat(100) });
    expect(run.checkpointDue(now, 1_000)).toBe(true);
    const { checkpoint, written } = run.takeCheckpoint(now);
    written();
    expect(checkpoint.events).toEqual([{ type: 'text-delta', delta: 'a' + 'x'.repeat(20_000) }]);
    expect(run.checkpointDue(now + 10, 1_000)).toBe(false);
  });

  it('a checkpoint that failed to write is taken again whole, under the same seq', () => {
    const run = new ReplyRun(info, () => null);
    run.persisted = true;
    run.emit({ type: 'text-delta', delta: 'one ' });
    const first = run.takeCheckpoint(Date.now());
    first.failed();
    run.emit({ type: 'text-delta', delta: 'two' });
    const again = run.takeCheckpoint(Date.now());
    expect(again.checkpoint).toMatchObject({ seq: first.checkpoint.seq, events: [{ type: 'text-delta', delta: 'one two' }] });
  });
});
