import type { ChatSessionState } from './chat-session-types';

/** The state of a chat nothing has happened in yet: no conversation, nothing loading or failed. */
export const NEW_CHAT: ChatSessionState = {
  status: 'idle',
  error: null,
  conversationId: null,
  historyLoading: false,
  conversationModel: null,
  failedReplyKey: null,
};

/**
 * A chat's state as React's `useSyncExternalStore` reads it: every patch is a new object, so a
 * subscriber can compare snapshots by identity, and every patch tells every subscriber.
 */
export class SessionStateStore {
  private state: ChatSessionState;
  private readonly listeners = new Set<() => void>();

  constructor(initial: ChatSessionState) {
    this.state = initial;
  }

  get = (): ChatSessionState => this.state;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  patch(patch: Partial<ChatSessionState>): void {
    this.state = { ...this.state, ...patch };
    // A copy, so subscribing or unsubscribing while listeners are told changes only the next patch.
    for (const listener of [...this.listeners]) listener();
  }
}
