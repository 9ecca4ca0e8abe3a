import 'server-only';
import type { ChatStore, ReplyRunStore } from './chat-store';

/**
 * A store whose driver loads on first use: the env-chosen store is imported only once chosen, so
 * a Postgres app never loads PGlite's WASM or the Supabase client, and the handler can still be
 * built synchronously. `actsAsUser`: whether the store behind it has `forUser` (all but Supabase).
 */
export function lazyChatStore(load: () => Promise<ChatStore>, { actsAsUser }: { actsAsUser: boolean }): ChatStore {
  let loading: Promise<ChatStore> | undefined;
  const store = () => {
    if (!loading) {
      const started = load();
      // A store that failed to open (a bad URL, say) is tried again by the next request.
      started.catch(() => {
        if (loading === started) loading = undefined;
      });
      loading = started;
    }
    return loading;
  };
  const replies: ReplyRunStore = {
    start: async (run) => (await store()).replies.start(run),
    tick: async (checkpoints, live) => (await store()).replies.tick(checkpoints, live),
    requestStop: async (userId, id) => (await store()).replies.requestStop(userId, id),
    read: async (userId, id, afterSeq) => (await store()).replies.read(userId, id, afterSeq),
    generating: async (userId, conversationId) => (await store()).replies.generating(userId, conversationId),
    sweep: async (staleSeconds, id) => (await store()).replies.sweep(staleSeconds, id),
    requestApproval: async (approval) => (await store()).replies.requestApproval(approval),
    answerApproval: async (userId, replyId, id, approved) => (await store()).replies.answerApproval(userId, replyId, id, approved),
    approvalState: async (id) => (await store()).replies.approvalState(id),
    expireApproval: async (id) => (await store()).replies.expireApproval(id),
  };
  return {
    forRequest: async (request) => (await store()).forRequest(request),
    ...(actsAsUser
      ? {
          async forUser(userId: string, profile?: { email?: string | null }) {
            const opened = await store();
            if (!opened.forUser) throw new Error('ai-chat: this store cannot act as a given user');
            return opened.forUser(userId, profile);
          },
        }
      : {}),
    replies,
    async close() {
      if (loading) await (await loading).close();
    },
  };
}
