import type { ProviderName } from '../protocol/chat-request';
import type { ChatError } from '../protocol/errors';
import type { AttachmentRecord } from './server-api';
import type { ChatMessageView } from './chat-message-view';
import type { ChatTransport } from './chat-transport';
import type { ModelRef } from './settle-turn';

export type ChatStatus = 'idle' | 'submitted' | 'streaming' | 'error';

/** The second argument of `sendMessage`. */
export interface SendMessageOptions {
  /** Files uploaded (POST {api}/attachments) for this message; their ids go with it. */
  attachments?: readonly AttachmentRecord[];
}

/** What a chat sends with every message, and where. */
export interface ChatSessionOptions {
  /** Base path of the module's routes. Default '/api/chat'. */
  api?: string;
  /**
   * How turns, replies and the conversation reach the server. Default: HTTP to the routes under
   * `api` (`httpChatTransport`). Give your own to run the chat over another wire or in process.
   */
  transport?: ChatTransport;
  provider?: ProviderName;
  model?: string;
  systemPrompt?: string;
  temperature?: number;
  maxTokens?: number;
  /** Called once the server has accepted and saved a user message (its `start` event). */
  onMessageSent?: (message: ChatMessageView) => void;
  /** Called when the server assigns an id to a chat that had none (its first message). */
  onConversationCreated?: (conversationId: string) => void;
  /** Called when a reply has finished (completely, stopped, or cut off by the model's limit). */
  onFinish?: (message: ChatMessageView) => void;
  /**
   * The waits before each attempt to read a reply again after its stream broke (the server goes
   * on writing it); once they are spent the reply shows the lost connection, with Retry.
   * Default: from 0.5 s doubling to 8 s, about 30 s in all (`RECONNECT_DELAYS_MS`).
   */
  reconnectDelaysMs?: readonly number[];
}

export interface ChatSessionState {
  status: ChatStatus;
  error: ChatError | null;
  /** Null on a new chat: the server names it on the first message. */
  conversationId: string | null;
  /** True while the conversation's messages are being fetched. */
  historyLoading: boolean;
  /**
   * The provider and model the open conversation is held on (its last reply's, else its own),
   * or the ones the last reply was sent to; null on a new chat. A model picker follows this.
   */
  conversationModel: ModelRef | null;
  /** The reply row that shows `error` itself (a turn that failed after it started); null otherwise. */
  failedReplyKey: string | null;
}

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
