import { providerNameSchema, type ProviderName } from '../protocol/chat-request';
import type { ChatError } from '../protocol/errors';
import { getConversation, patchConversation, postChat, DEFAULT_CHAT_API } from './chat-api';
import { isLocalId } from './chat-message-view';
import type { ChatSessionOptions, ChatSessionState } from './chat-session-types';
import { canRetry, isAbortError, toChatError } from './http-error';
import { MessageStore } from './message-store';
import { modelOfConversation, readSavedTurn, SAVE_POLL_DELAYS_MS, viewsFromDetail, type ModelRef } from './saved-turn';
import { streamReply } from './stream-reply';
import {
  chatRequestBody,
  draftMessage,
  forgetUnsavedTurn,
  showSavedTurn,
  type Branching,
  type FailedSend,
  type Turn,
  type TurnEnding,
} from './chat-turn';

const NEW_CHAT: ChatSessionState = {
  status: 'idle',
  error: null,
  conversationId: null,
  historyLoading: false,
  conversationModel: null,
  failedReplyKey: null,
};

/**
 * One chat on the client, outside React: the messages, the request in flight, and the actions.
 * The server owns the history; this sends only the new message and mirrors what comes back.
 * Every send goes under a message the server has; after a stop or a failure the rows shown are
 * re-read from the server, so what is shown is what was saved.
 */
export class ChatSession {
  readonly messages = new MessageStore();
  private state: ChatSessionState;
  private readonly listeners = new Set<() => void>();
  private options: ChatSessionOptions;
  private inFlight: AbortController | null = null;
  private loading: AbortController | null = null;
  private failed: FailedSend | null = null;
  private current: Promise<void> = Promise.resolve();
  /** Re-reading a stopped or failed turn from the server; the next send waits for it. */
  private settling: { promise: Promise<void>; controller: AbortController } | null = null;
  /** Bumped whenever the chat shown changes (new chat, another conversation): late answers for the old one are dropped. */
  private epoch = 0;

  constructor(options: ChatSessionOptions = {}, conversationId: string | null = null) {
    this.options = options;
    this.state = { ...NEW_CHAT, conversationId };
  }

  getState = (): ChatSessionState => this.state;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** The latest options (callbacks, model): read at send time, so a re-render never restarts anything. */
  setOptions(options: ChatSessionOptions): void {
    this.options = options;
  }

  private get api(): string {
    return this.options.api ?? DEFAULT_CHAT_API;
  }

  get busy(): boolean {
    return this.state.status === 'submitted' || this.state.status === 'streaming';
  }

  private setState(patch: Partial<ChatSessionState>): void {
    this.state = { ...this.state, ...patch };
    for (const listener of [...this.listeners]) listener();
  }

  /** Leaves whatever was shown: stops the reply, a load and a re-read, and drops their late answers. */
  private leave(): void {
    this.epoch += 1;
    this.inFlight?.abort();
    this.inFlight = null;
    this.loading?.abort();
    this.loading = null;
    this.settling?.controller.abort();
    this.settling = null;
    this.failed = null;
  }

  /** Shows this conversation's active branch, replacing what is shown. */
  async load(conversationId: string): Promise<void> {
    const switching = conversationId !== this.state.conversationId;
    if (switching) this.leave();
    else {
      this.loading?.abort();
      // What this load shows is what the server saved: a re-read still on its way is superseded.
      this.settling?.controller.abort();
      this.settling = null;
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
      const detail = await getConversation(this.api, conversationId, controller.signal);
      if (controller.signal.aborted) return;
      this.messages.replaceAll(viewsFromDetail(detail));
      this.setState({ historyLoading: false, conversationModel: modelOfConversation(detail), failedReplyKey: null });
    } catch (error) {
      if (controller.signal.aborted || isAbortError(error)) return;
      this.setState({ historyLoading: false, error: toChatError(error) });
    } finally {
      if (this.loading === controller) {
        this.loading = null;
        if (this.state.historyLoading) this.setState({ historyLoading: false });
      }
    }
  }

  /** Sends a message under the last one shown. Resolves when the reply has ended, however it ended. */
  sendMessage = (text: string): Promise<void> => this.send(text);

  /** Sends new text in place of a user message: a sibling branch under the same parent. */
  editMessage = (messageId: string, text: string): Promise<void> =>
    this.afterStopping(() => {
      const message = this.messages.findById(messageId);
      if (!message || message.role !== 'user') return Promise.resolve();
      return this.send(text, { kind: 'edit', parentMessageId: message.parentId, replaces: message.id });
    });

  /**
   * A new reply to the user message before `assistantMessageId` (default: the last reply): the
   * server answers the same question again, and the old reply stays as the previous version.
   * This is also the Retry of a failed reply.
   */
  regenerate = (assistantMessageId?: string): Promise<void> =>
    this.afterStopping(() => this.regenerateNow(assistantMessageId));

  private regenerateNow(assistantMessageId?: string): Promise<void> {
    const all = this.messages.getMessages();
    const assistant = assistantMessageId
      ? this.messages.findById(assistantMessageId)
      : [...all].reverse().find((m) => m.role === 'assistant');
    if (!assistant) return Promise.resolve();
    const index = all.indexOf(assistant);
    const user = all.slice(0, index).reverse().find((m) => m.role === 'user');
    if (!user || isLocalId(user.id)) return Promise.resolve();
    return this.send(user.content, { kind: 'regenerate', userMessageId: user.id, replaces: assistant.id });
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
      return this.send(failed.text, failed.branch);
    }
    return this.regenerateNow();
  };

  /** Stops the reply; the server keeps what was written so far, and the screen shows what it kept. */
  stop = (): void => {
    this.inFlight?.abort();
  };

  /** Shows the previous/next version of a message (or the given sibling id). */
  switchBranch = (messageId: string, target: 'previous' | 'next' | string): Promise<void> =>
    this.afterStopping(() => this.switchBranchNow(messageId, target));

  private async switchBranchNow(messageId: string, target: string): Promise<void> {
    const conversationId = this.state.conversationId;
    const message = this.messages.findById(messageId);
    if (this.busy || !conversationId || !message) return;
    const index = message.siblingIds.indexOf(message.id);
    const targetId =
      target === 'previous' ? message.siblingIds[index - 1] : target === 'next' ? message.siblingIds[index + 1] : target;
    if (!targetId || targetId === message.id || isLocalId(targetId)) return;
    try {
      await patchConversation(this.api, conversationId, { activeMessageId: targetId });
    } catch (error) {
      this.setState({ error: toChatError(error) });
      return;
    }
    await this.load(conversationId);
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

  private modelForNextSend(): { provider?: ProviderName; model?: string } {
    const held = this.state.conversationModel;
    const provider = held ? providerNameSchema.safeParse(held.provider) : null;
    if (held && provider?.success) return { provider: provider.data, model: held.model };
    return { provider: this.options.provider, model: this.options.model };
  }

  /** Hides the last error; what failed stays retryable until the next send. */
  dismissError = (): void => {
    this.setState({ error: null, status: this.state.status === 'error' ? 'idle' : this.state.status });
  };

  /**
   * A new chat: nothing shown, no conversation, so the next message makes a new one. Stops a
   * reply in flight (the server keeps it in its own conversation). Nothing is deleted.
   */
  startNewChat = (): void => {
    this.leave();
    this.messages.replaceAll([]);
    this.setState(NEW_CHAT);
  };

  /** The seed's name for `startNewChat`. */
  clearMessages = (): void => this.startNewChat();

  dispose(): void {
    this.leave();
    this.messages.flush();
  }

  private send(text: string, branch?: Branching): Promise<void> {
    if (this.busy || text.trim() === '') return this.current;
    this.current = this.run(text, branch);
    return this.current;
  }

  /** The id of the last message shown that the server has: the parent of a new message. */
  private lastSavedId(): string | null {
    const all = this.messages.getMessages();
    for (let i = all.length - 1; i >= 0; i -= 1) if (!isLocalId(all[i]!.id)) return all[i]!.id;
    return null;
  }

  private async run(text: string, branch?: Branching): Promise<void> {
    const epoch = this.epoch;
    // A reload still on its way would replace the messages this send is about to add.
    this.loading?.abort();
    if (this.settling) {
      // The turn before is still being re-read: its saved rows decide this message's parent.
      this.setState({ status: 'submitted', error: null });
      await this.settling.promise;
      if (epoch !== this.epoch) return;
    }
    this.failed = null;
    const replaced = branch ? this.messages.findById(branch.replaces) : undefined;
    const regenerating = branch?.kind === 'regenerate' ? this.messages.findById(branch.userMessageId) : undefined;
    const parentId = branch?.kind === 'edit' ? branch.parentMessageId : this.lastSavedId();
    // A regenerate answers the user message already shown; anything else adds an optimistic one.
    const user = regenerating ?? { ...draftMessage('user', text, parentId), state: 'pending' as const };
    const assistant = { ...draftMessage('assistant', '', user.id), state: 'pending' as const };
    const keys = this.messages.getKeys();
    let afterKey: string | null | undefined;
    if (regenerating) afterKey = regenerating.key;
    else if (replaced) afterKey = keys[keys.indexOf(replaced.key) - 1] ?? null;
    // What the new version hides; a regenerate the server refuses puts it back.
    const displacedKeys = afterKey === undefined ? [] : keys.slice(afterKey === null ? 0 : keys.indexOf(afterKey) + 1);
    const displaced = displacedKeys.flatMap((key) => this.messages.getMessage(key) ?? []);
    this.messages.append(regenerating ? [assistant] : [user, assistant], { afterKey });
    this.setState({ status: 'submitted', error: null, failedReplyKey: null });

    const { conversationId } = this.state;
    const { systemPrompt, temperature, maxTokens } = this.options;
    const { provider, model } = this.modelForNextSend();
    const body = chatRequestBody({
      ...{ text, branch, parentId, conversationId, regenerating: !!regenerating },
      ...{ provider, model, systemPrompt, temperature, maxTokens },
    });
    const turn: Turn = {
      text,
      branch,
      userKey: user.key,
      assistantKey: assistant.key,
      regenerating: !!regenerating,
      conversationIdBefore: conversationId,
    };
    // Versions the server has: a reply it never saved is no version of anything.
    const replacedSiblings = replaced
      ? (replaced.siblingIds.length > 0 ? replaced.siblingIds : [replaced.id]).filter((id) => !isLocalId(id))
      : [];

    const controller = new AbortController();
    this.inFlight = controller;
    let started = false;
    try {
      const response = await postChat(this.api, body, controller.signal);
      await streamReply(response, {
        store: this.messages,
        userKey: user.key,
        assistantKey: assistant.key,
        replacedSiblings: replacedSiblings.length > 0 ? replacedSiblings : undefined,
        replacing: regenerating ? 'assistant' : 'user',
        signal: controller.signal,
        onStart: (event) => {
          if (epoch !== this.epoch) return;
          started = true;
          const isNew = this.state.conversationId !== event.conversationId;
          this.setState({
            status: 'streaming',
            conversationId: event.conversationId,
            conversationModel: { provider: event.provider, model: event.model },
          });
          if (isNew) this.options.onConversationCreated?.(event.conversationId);
          const sent = this.messages.getMessage(user.key);
          if (sent) this.options.onMessageSent?.(sent);
        },
      });
      if (epoch !== this.epoch) return;
      this.setState({ status: 'idle' });
      const finished = this.messages.getMessage(assistant.key);
      if (finished) this.options.onFinish?.(finished);
    } catch (error) {
      this.messages.flush();
      if (epoch !== this.epoch) return;
      if (controller.signal.aborted) {
        this.afterStop(started, turn);
        return;
      }
      const chatError = toChatError(error);
      if (started) {
        this.afterFailedReply(turn, chatError);
      } else if (regenerating) {
        // Refused before it began (a limit, a bad request): the reply it would replace comes back.
        this.messages.remove([assistant.key]);
        this.messages.append(displaced, { afterKey: regenerating.key });
        this.failed = { text, branch, userKey: null };
        this.setState({ status: 'error', error: chatError });
      } else {
        this.messages.remove([assistant.key]);
        this.messages.update(user.key, { state: 'error' });
        this.failed = { text, branch, userKey: user.key };
        this.setState({ status: 'error', error: chatError });
      }
    } finally {
      if (this.inFlight === controller) this.inFlight = null;
    }
  }

  /**
   * The turn failed after the server took it: the reply row shows the error (with Retry, a
   * regenerate), and the rows are re-read so the next message goes under what the server saved.
   */
  private afterFailedReply(turn: Turn, error: ChatError): void {
    const reply = this.messages.getMessage(turn.assistantKey);
    this.messages.update(turn.assistantKey, {
      state: 'error',
      retrying: null,
      error: { code: error.code, message: error.message, retryable: canRetry(error) },
    });
    this.setState({ status: 'error', error, failedReplyKey: reply ? turn.assistantKey : null });
    // An `error` event comes after the server saved the turn: one read tells. A cut connection
    // may leave the server still saving: read a few times.
    const delays = error.code === 'network' ? SAVE_POLL_DELAYS_MS : [];
    this.resync(turn, delays, 'error');
  }

  private afterStop(started: boolean, turn: Turn): void {
    if (started) {
      this.messages.update(turn.assistantKey, { state: 'partial', retrying: null });
      this.setState({ status: 'idle' });
      this.resync(turn, SAVE_POLL_DELAYS_MS, 'stopped');
      return;
    }
    // Stopped before the server named anything: show what it saved, if it saved anything.
    this.messages.remove(turn.regenerating ? [turn.assistantKey] : [turn.userKey, turn.assistantKey]);
    this.setState({ status: 'idle' });
    const { conversationId } = this.state;
    if (conversationId) void this.load(conversationId);
  }

  /**
   * Replaces the turn's rows with what the server saved (text, tokens, cost, a failure's
   * message). Where it saved no reply, the row stays as shown but is no parent of anything.
   */
  private resync(turn: Turn, delaysMs: readonly number[], ending: TurnEnding): void {
    const conversationId = this.state.conversationId;
    const reply = this.messages.getMessage(turn.assistantKey);
    if (!conversationId || !reply || isLocalId(reply.id)) return;
    const epoch = this.epoch;
    const controller = new AbortController();
    const promise = (async () => {
      try {
        const saved = await readSavedTurn(this.api, conversationId, reply.id, delaysMs, controller.signal);
        if (epoch !== this.epoch || controller.signal.aborted) return;
        if (saved.kind === 'saved') {
          showSavedTurn(this.messages, saved.detail, turn.assistantKey, ending);
          this.setState({ conversationModel: modelOfConversation(saved.detail) });
          // A stopped reply has finished too, now that its tokens and cost are known.
          const stopped = ending === 'stopped' ? this.messages.getMessage(turn.assistantKey) : undefined;
          if (stopped) this.options.onFinish?.(stopped);
          return;
        }
        this.forgetUnsavedReply(turn, saved.kind === 'absent' ? saved.detail.messages.map((m) => m.id) : null, ending);
        if (saved.kind === 'unreadable' && saved.notFound) this.setState({ conversationId: turn.conversationIdBefore });
      } catch {
        // Aborted: the chat shown changed, and these rows with it.
      }
    })().finally(() => {
      if (this.settling?.controller === controller) this.settling = null;
    });
    this.settling = { promise, controller };
  }

  /** The server saved no reply (or not even the question): see `forgetUnsavedTurn`. */
  private forgetUnsavedReply(turn: Turn, savedIds: readonly string[] | null, ending: TurnEnding): void {
    if (forgetUnsavedTurn(this.messages, turn, savedIds, ending) !== 'question-unsent') return;
    this.failed = { text: turn.text, branch: turn.branch, userKey: turn.userKey };
    if (this.state.failedReplyKey === turn.assistantKey) this.setState({ failedReplyKey: null });
  }
}
