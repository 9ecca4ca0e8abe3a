import { describe, expect, it } from 'vitest';
import { groupConversations } from '@/features/ai-chat/components/conversation-groups';
import type { ConversationRecord } from '@/features/ai-chat/protocol/records';

function chat(title: string, lastMessageAt: Date, pinned = false): ConversationRecord {
  const at = lastMessageAt.toISOString();
  return {
    id: crypto.randomUUID(),
    title,
    systemPrompt: null,
    provider: 'openai',
    model: 'gpt-4o',
    summary: null,
    summaryThroughMessageId: null,
    activeLeafId: null,
    createdAt: at,
    updatedAt: at,
    lastMessageAt: at,
    pinnedAt: pinned ? at : null,
    archivedAt: null,
  };
}

describe('the chat list grouped by date', () => {
  // Local time: the groups follow the reader's calendar.
  const now = new Date(2026, 11, 7, 0, 30);
  const hoursAgo = (hours: number) => new Date(now.getTime() - hours * 3_600_000);
  const daysAgo = (days: number) => new Date(now.getFullYear(), now.getMonth(), now.getDate() - days, 12);

  it('heads with Pinned, then Today, Yesterday, Previous 7 and 30 days, then months', () => {
    const groups = groupConversations(
      [
        chat('minutes ago', hoursAgo(0.2)),
        chat('late last night', hoursAgo(1)),
        chat('three days', daysAgo(3)),
        chat('two weeks', daysAgo(14)),
        chat('pinned long ago', daysAgo(200), true),
        chat('in October', new Date(2026, 9, 3)),
        chat('last year', new Date(2025, 10, 20)),
      ],
      now,
      'en-US',
    );
    expect(groups.map((group) => [group.label, group.conversations.map((c) => c.title)])).toEqual([
      ['Pinned', ['pinned long ago']],
      ['Today', ['minutes ago']],
      ['Yesterday', ['late last night']],
      ['Previous 7 days', ['three days']],
      ['Previous 30 days', ['two weeks']],
      ['October', ['in October']],
      ['November 2025', ['last year']],
    ]);
  });

  it('leaves out a group with no chats', () => {
    expect(groupConversations([chat('old', daysAgo(40))], now, 'en-US').map((group) => group.label)).toEqual(['October']);
    expect(groupConversations([], now)).toEqual([]);
  });
});
