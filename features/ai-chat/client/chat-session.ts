import { openTabSignal, type TabSignal } from './tab-signal';
import { type AttachmentRecord, DEFAULT_CHAT_API, showConversation } from './server-api';
import { type ChatMessageView, regenerateTarget } from './chat-message-view';
import { type ChatTransport, sendTurn, sessionTransport, turnRequestBody } from './chat-transport';
import { type ChatSessionOptions, type ChatSessionState, NEW_CHAT, type SendMessageOptions, SessionStateStore } from './session-types';
import type { ConversationDetail } from '../protocol/rest';
import { attachmentsOf, type Branching, type FailedSend, placeTurn } from './chat-turn';
import { MessageStore } from './message-store';
import { type ModelRef, type SettlingChat, showSibling, TurnSettling } from './settle-turn';
import { followReply, type ReadingChat, readTurn } from './read-turn';
import type { ReplyReading } from './stream-reply';

export type { SendMessageOptions } from './session-types';

/**
 * One chat on the client, outside React: the messages, the request in flight, and the actions.
 * The server owns the history; this sends only the new message and mirrors what comes back.
 * Every send goes under a message the server has; after a stop or a failure the rows shown are
 * re-read from the server, so what is shown is what was saved. The server writes a reply whether
 * or not anyone reads it: opening a conversation whose last reply is still being written reads it
 * from its start, then live (after a reload, in a second tab).
 */
export class ChatSession {
  readonly messages = new MessageStore();
  private readonly stateStore: SessionStateStore;
  private options: ChatSessionOptions;
  /** The reply being read, sent from here or attached to. */
  private reading: ReplyReading | null = null;
  /** Replies the server would not stream (gone by then): never attached to again. */
  private readonly unattachable = new Set<string>();
  private loading: AbortController | null = null;
  private failed: FailedSend | null = null;
  private current: Promise<void> = Promise.resolve();
  /** What the turn's readers and settlers need of this chat. */
  private readonly chat: SettlingChat = {
    messages: this.messages,
    transport: () => this.transport,
    epoch: () => this.epoch,
    getState: () => this.state,
    setState: (patch) => this.setState(patch),
    reload: (conversationId) => void this.load(conversationId),
    onFinish: (message) => this.options.onFinish?.(message),
    setFailed: (failed) => {
      this.failed = failed;
    },
  };
  /** Re-reads a stopped or failed turn from the server; the next send waits for it. */
  private readonly settling = new TurnSettling(this.chat);
  /** Reads replies into the rows, and settles how each ended. */
  private readonly reader: ReadingChat = {
    ...this.chat,
    settling: this.settling,
    // A message sent from here is news to this browser's other tabs open on the chat.
    options: () => ({ ...this.options, onMessageSent: this.announceSent }),
    setReading: (reading, active) => {
      if (active) this.reading = reading;
      else if (this.reading === reading) this.reading = null;
    },
    replyGone: (replyId) => {
      // Never attached to again: a server still listing it would otherwise be asked forever.
      this.unattachable.add(replyId);
      const { conversationId } = this.state;
      if (conversationId) void this.load(conversationId);
    },
  };
  /** Bumped whenever the chat shown changes (new chat, another conversation): late answers for the old one are dropped. */
  private epoch = 0;

  /** The other tabs of this browser: a message sent there is shown here (see tab-signal). */
  private readonly tabs: TabSignal;

  constructor(options: ChatSessionOptions = {}, conversationId: string | null = null) {
    this.options = options;
    this.stateStore = new SessionStateStore({ ...NEW_CHAT, conversationId });
    this.tabs = openTabSignal(`ai-chat:${this.apiBase}`, (sentIn) => {
      // Shown here and idle: load it again, which shows the message and follows its reply.
      if (sentIn === this.state.conversationId && !this.busy && !this.loading) void this.load(sentIn);
    });
  }

  private readonly announceSent = (message: ChatMessageView): void => {
    const { conversationId } = this.state;
    if (conversationId) this.tabs.announce(conversationId);
    this.options.onMessageSent?.(message);
  };

  getState = (): ChatSessionState => this.stateStore.get();

  subscribe = (listener: () => void): (() => void) => this.stateStore.subscribe(listener);

  private get state(): ChatSessionState {
    return this.stateStore.get();
  }

  /** The latest options (callbacks, model): read at send time, so a re-render never restarts anything. */
  setOptions(options: ChatSessionOptions): void {
    this.options = options;
  }

  private readonly transportOf = sessionTransport();

  /** The wire: the options' transport, else HTTP to the routes under `api`. */
  private get transport(): ChatTransport {
    return this.transportOf(this.options);
  }

  get busy(): boolean {
    return this.state.status === 'submitted' || this.state.status === 'streaming';
  }

  private setState(patch: Partial<ChatSessionState>): void {
    this.stateStore.patch(patch);
  }

  /**
   * Leaves whatever was shown: stops reading the reply (the server goes on writing it), a load
   * and a re-read, and drops their late answers.
   */
  private leave(): void {
    this.epoch += 1;
    this.detach();
    this.loading?.abort();
    this.loading = null;
    this.settling.cancel();
    this.failed = null;
  }

  /** Shows this conversation's active branch, replacing what is shown. */
  async load(conversationId: string): Promise<void> {
    const switching = conversationId !== this.state.conversationId;
    if (switching) this.leave();
    else {
      // The reply being read is shown again by this load, and read again if still being written.
      if (this.reading) {
        this.detach();
        this.setState({ status: 'idle' });
      }
      this.loading?.abort();
      // What this load shows is what the server saved: a re-read still on its way is superseded.
      this.settling.cancel();
    }
    const controller = new AbortController();
    this.loading = controller;
    this.setState({
      conversationId,
      historyLoading: true,
      error: null,
      ...(switching ? { status: 'idle' as const, conversationModel: null, failedReplyKey: null } : {}),
    });
    if (switching) this.messages.replaceAll([]);
    try {
      const detail = await showConversation(
        { messages: this.messages, setState: (patch) => this.setState(patch) },
        this.transport,
        conversationId,
        controller.signal,
      );
      if (detail && this.loading === controller) this.followGenerating(detail);
    } finally {
      if (this.loading === controller) {
        this.loading = null;
        if (this.state.historyLoading) this.setState({ historyLoading: false });
      }
    }
  }

  /**
   * Sends a message under the last one shown, with the files already uploaded for it (a message
   * may be files only). Resolves when the reply has ended, however it ended.
   */
  sendMessage = (text: string, options: SendMessageOptions = {}): Promise<void> => this.send(text, options.attachments ?? []);

  /** Sends new text in place of a user message (its files go again): a sibling branch under the same parent. */
  editMessage = (messageId: string, text: string): Promise<void> =>
    this.afterStopping(() => {
      const message = this.messages.findById(messageId);
      if (!message || message.role !== 'user') return Promise.resolve();
      return this.send(text, attachmentsOf(message), { kind: 'edit', parentMessageId: message.parentId, replaces: message.id });
    });

  /** The base path of the module's routes (attachment URLs are under it). */
  get apiBase(): string {
    return this.options.api ?? DEFAULT_CHAT_API;
  }

  /**
   * A new reply to the user message before `assistantMessageId` (default: the last reply): the
   * server answers the same question again, and the old reply stays as the previous version.
   * This is also the Retry of a failed reply.
   */
  /**
   * Continue: a reply cut by its length limit or stopped goes on from where it stopped, its words
   * joining the same reply (POST /api/chat with `continueMessageId`), billed as a turn.
   */
  continueReply = (assistantMessageId: string): Promise<void> =>
    this.afterStopping(() => {
      const reply = this.messages.findById(assistantMessageId);
      if (!reply || reply.role !== 'assistant') return Promise.resolve();
      return this.send('', [], { kind: 'continue', replaces: reply.id });
    });

  regenerate = (assistantMessageId?: string): Promise<void> =>
    this.afterStopping(() => this.regenerateNow(assistantMessageId));

  private regenerateNow(assistantMessageId?: string): Promise<void> {
    const target = regenerateTarget(this.messages, assistantMessageId);
    return target ? this.send(target.text, [], target.branch) : Promise.resolve();
  }

  /** Stops a streaming reply (the server keeps it), waits for it to settle, then runs `action`. */
  private async afterStopping(action: () => Promise<void>): Promise<void> {
    if (this.busy) {
      this.stop();
      await this.current;
    }
    return action();
  }

  /** Sends again what failed: the same request if the server never took it, else a regenerate. */
  retryLastMessage = (): Promise<void> => {
    if (this.busy) return Promise.resolve();
    const failed = this.failed;
    if (failed) {
      this.failed = null;
      if (failed.userKey) this.messages.remove([failed.userKey]);
      return this.send(failed.text, failed.attachments, failed.branch);
    }
    return this.regenerateNow();
  };

  /**
   * Stops the reply on the server, for every tab reading it: the stream ends within a second with
   * what was written, and the row becomes the reply as saved.
   */
  stop = (): void => {
    this.reading?.stop();
  };

  /**
   * Stops reading the reply without stopping it: the server goes on writing and saving it, and
   * opening the conversation again reads it again. Leaving a chat does this; so does unmounting.
   */
  detach = (): void => {
    this.reading?.detach();
    this.reading = null;
  };

  /** Shows the previous/next version of a message (or the given sibling id). */
  switchBranch = (messageId: string, target: 'previous' | 'next' | string): Promise<void> =>
    this.afterStopping(() => this.switchBranchNow(messageId, target));

  private switchBranchNow(messageId: string, target: string): Promise<void> {
    if (this.busy) return Promise.resolve();
    return showSibling(this.chat, messageId, target, (conversationId) => this.load(conversationId));
  }

  /**
   * Holds the chat on this provider and model: the next message goes there (a model picker's
   * choice). Until a choice or a loaded conversation names one, the options' model is used.
   */
  selectModel = (choice: ModelRef): void => {
    const current = this.state.conversationModel;
    if (current?.provider === choice.provider && current.model === choice.model) return;
    this.setState({ conversationModel: { provider: choice.provider, model: choice.model } });
  };

  /** Hides the last error; what failed stays retryable until the next send. */
  dismissError = (): void => {
    this.setState({ error: null, status: this.state.status === 'error' ? 'idle' : this.state.status });
  };

  /**
   * A new chat: nothing shown, no conversation, so the next message makes a new one. A reply in
   * flight goes on on the server, in its own conversation. Nothing is deleted.
   */
  startNewChat = (): void => {
    this.leave();
    this.messages.replaceAll([]);
    this.setState(NEW_CHAT);
  };

  /** The seed's name for `startNewChat`. */
  clearMessages = (): void => this.startNewChat();

  dispose(): void {
    this.tabs.close();
    this.leave();
    this.messages.flush();
  }

  private send(text: string, attachments: readonly AttachmentRecord[], branch?: Branching): Promise<void> {
    const empty = text.trim() === '' && attachments.length === 0 && (branch === undefined || branch.kind === 'edit');
    if (this.busy || empty) return this.current;
    this.current = this.run(text, attachments, branch);
    return this.current;
  }

  private async run(text: string, attachments: readonly AttachmentRecord[], branch?: Branching): Promise<void> {
    const epoch = this.epoch;
    // A reload still on its way would replace the messages this send is about to add.
    this.loading?.abort();
    const settling = this.settling.promise;
    if (settling) {
      // The turn before is still being re-read: its saved rows decide this message's parent.
      this.setState({ status: 'submitted', error: null });
      await settling;
      if (epoch !== this.epoch) return;
    }
    this.failed = null;
    const { conversationId } = this.state;
    const placed = placeTurn(this.messages, { text, attachments }, branch, conversationId);
    this.setState({ status: 'submitted', error: null, failedReplyKey: null });
    const body = turnRequestBody(placed, conversationId, this.state.conversationModel, this.options);
    await readTurn(this.reader, placed, sendTurn(this.transport, body), 'sent');
  }

  /** After a load: a reply the server is still writing is read from its start, then live (see followReply). */
  private followGenerating(detail: ConversationDetail): void {
    if (this.busy) return;
    const reading = followReply(this.reader, detail, this.state.conversationId, this.unattachable);
    if (reading) this.current = reading;
  }
}
