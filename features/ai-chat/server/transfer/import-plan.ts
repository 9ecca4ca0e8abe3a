import 'server-only';
import type { ConversationExport, ExportedMessage } from '../../protocol/export';

/**
 * The order to write an imported file's messages in: oldest first, as the file's clocks say, but
 * never a child before its parent (clocks can disagree). The store stamps each write with its own
 * clock, so this order is also the order the imported tree sorts in afterwards.
 * Expects a file the export schema accepted: parent links form a forest.
 */
export function importWriteOrder(messages: readonly ExportedMessage[]): ExportedMessage[] {
  const byId = new Map(messages.map((message) => [message.id, message]));
  const byTime = [...messages].sort((a, b) => Date.parse(a.createdAt) - Date.parse(b.createdAt));
  const written = new Set<string>();
  const order: ExportedMessage[] = [];
  for (const message of byTime) {
    const pending: ExportedMessage[] = [];
    for (let at: ExportedMessage | undefined = message; at && !written.has(at.id); at = at.parentId === null ? undefined : byId.get(at.parentId)) {
      pending.push(at);
      written.add(at.id);
    }
    order.push(...pending.reverse());
  }
  return order;
}

/**
 * The file id of the message whose branch should be on show: the file's active leaf, else the
 * leaf written last (the newest). Null for a file with no messages.
 */
export function leafToRestore(document: ConversationExport, order: readonly ExportedMessage[]): string | null {
  if (document.conversation.activeLeafId !== null) return document.conversation.activeLeafId;
  const parents = new Set(order.map((message) => message.parentId));
  return order.findLast((message) => !parents.has(message.id))?.id ?? null;
}
