import type { ConversationRecord } from '../protocol/records';

/** A heading of the chat list and the chats under it, in the list's order. */
export interface ConversationGroup {
  label: string;
  conversations: ConversationRecord[];
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The list as people scan it: Pinned first, then Today, Yesterday, Previous 7 days, Previous 30
 * days, then one group per month ("November 2026"; the year only when it is not this one), by
 * each chat's last message in the reader's own time zone. Keeps the server's order within a group.
 */
export function groupConversations(
  conversations: readonly ConversationRecord[],
  now: Date = new Date(),
  locale?: string,
): ConversationGroup[] {
  const groups: ConversationGroup[] = [];
  const byLabel = new Map<string, ConversationGroup>();
  const today = startOfDay(now).getTime();
  const monthFormat = new Intl.DateTimeFormat(locale, { month: 'long', year: 'numeric' });
  const monthOnly = new Intl.DateTimeFormat(locale, { month: 'long' });
  for (const conversation of conversations) {
    const label = conversation.pinnedAt ? 'Pinned' : labelFor(new Date(conversation.lastMessageAt ?? conversation.updatedAt));
    let group = byLabel.get(label);
    if (!group) {
      group = { label, conversations: [] };
      byLabel.set(label, group);
      groups.push(group);
    }
    group.conversations.push(conversation);
  }
  // Pinned heads the list whatever order the chats came in.
  return groups.sort((a, b) => Number(b.label === 'Pinned') - Number(a.label === 'Pinned'));

  function labelFor(when: Date): string {
    const day = startOfDay(when).getTime();
    // Days by the calendar, not 24-hour spans: 23:00 yesterday is "Yesterday" at 01:00 today.
    const daysAgo = Math.round((today - day) / DAY_MS);
    if (daysAgo <= 0) return 'Today';
    if (daysAgo === 1) return 'Yesterday';
    if (daysAgo < 7) return 'Previous 7 days';
    if (daysAgo < 30) return 'Previous 30 days';
    return when.getFullYear() === now.getFullYear() ? monthOnly.format(when) : monthFormat.format(when);
  }
}

function startOfDay(date: Date): Date {
  return new Date(date.getFullYear(), date.getMonth(), date.getDate());
}
