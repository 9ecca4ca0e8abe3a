import type { ChatRequestBody } from '../protocol/chat-request';
import { getConversation, patchConversation, postChat, DEFAULT_CHAT_API } from './chat-api';
import { createLocalId, isLocalId, viewFromRecord, type ChatMessageView } from './chat-message-view';
import type { ChatSessionOptions, ChatSessionState } from './chat-session-types';
import { isAbortError, toChatError } from './http-error';
import { MessageStore } from './message-store';
import { streamReply } from './stream-reply';

/**
 * A new version of a message. `edit`: new text under the edited message's parent, a sibling of
 * it. `regenerate`: a new reply to the same user message (sent without text), a sibling of the
 * old reply.
 */
type Branching =
  | { kind: 'edit'; parentMessageId: string | null; replaces: string }
  | { kind: 'regenerate'; userMessageId: string; replaces: string };

interface FailedSend {
  text: string;
  branch?: Branching;
  /** The optimistic user row to drop before sending again; none for a regenerate. */
  userKey: string | null;
}

/**
 * One chat on the client, outside React: the messages, the request in flight, and the actions.
 * The server owns the history; this sends only the new message and mirrors what comes back.
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

  constructor(options: ChatSessionOptions = {}, conversationId: string | null = null) {
    this.options = options;
    this.state = { status: 'idle', error: null, conversationId, historyLoading: false };
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

  /** Shows this conversation's active branch, replacing what is shown. */
  async load(conversationId: string): Promise<void> {
    this.loading?.abort();
    const controller = new AbortController();
    this.loading = controller;
    this.setState({ conversationId, historyLoading: true, error: null });
    try {
      const detail = await getConversation(this.api, conversationId, controller.signal);
      if (controller.signal.aborted) return;
      this.messages.replaceAll(detail.messages.map((record) => viewFromRecord(record, detail.siblings[record.id] ?? [])));
      this.setState({ historyLoading: false });
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

  /** Stops the reply; the server keeps what was written so far, and so does the screen. */
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
    if (!targetId || targetId === message.id) return;
    try {
      await patchConversation(this.api, conversationId, { activeMessageId: targetId });
    } catch (error) {
      this.setState({ error: toChatError(error) });
      return;
    }
    await this.load(conversationId);
  }

  /** Hides the last error; what failed stays retryable until the next send. */
  dismissError = (): void => {
    this.setState({ error: null, status: this.state.status === 'error' ? 'idle' : this.state.status });
  };

  /** Empties the screen for a new conversation; nothing is deleted on the server. */
  clearMessages = (): void => {
    this.stop();
    this.loading?.abort();
    this.failed = null;
    this.messages.replaceAll([]);
    this.setState({ status: 'idle', error: null, conversationId: null, historyLoading: false });
  };

  dispose(): void {
    this.inFlight?.abort();
    this.loading?.abort();
    this.messages.flush();
  }

  private send(text: string, branch?: Branching): Promise<void> {
    if (this.busy || text.trim() === '') return this.current;
    this.current = this.run(text, branch);
    return this.current;
  }

  private async run(text: string, branch?: Branching): Promise<void> {
    // A reload still on its way would replace the messages this send is about to add.
    this.loading?.abort();
    this.failed = null;
    const last = this.messages.last();
    const replaced = branch ? this.messages.findById(branch.replaces) : undefined;
    const regenerating = branch?.kind === 'regenerate' ? this.messages.findById(branch.userMessageId) : undefined;
    const parentId = branch?.kind === 'edit' ? branch.parentMessageId : last && !isLocalId(last.id) ? last.id : null;
    // A regenerate answers the user message already shown; anything else adds an optimistic one.
    const user = regenerating ?? { ...draft('user', text, parentId), state: 'pending' as const };
    const assistant = { ...draft('assistant', '', user.id), state: 'pending' as const };
    const keys = this.messages.getKeys();
    let afterKey: string | null | undefined;
    if (regenerating) afterKey = regenerating.key;
    else if (replaced) afterKey = keys[keys.indexOf(replaced.key) - 1] ?? null;
    this.messages.append(regenerating ? [assistant] : [user, assistant], { afterKey });
    this.setState({ status: 'submitted', error: null });

    const { conversationId } = this.state;
    const { provider, model, systemPrompt, temperature, maxTokens } = this.options;
    const target =
      branch?.kind === 'regenerate'
        ? { parentMessageId: branch.userMessageId }
        : branch
          ? { parentMessageId: branch.parentMessageId }
          : parentId
            ? { parentMessageId: parentId }
            : {};
    const body: ChatRequestBody = {
      ...(regenerating ? {} : { message: text }),
      ...(conversationId ? { conversationId } : {}),
      ...target,
      ...(provider ? { provider } : {}),
      ...(model ? { model } : {}),
      ...(systemPrompt ? { systemPrompt } : {}),
      ...(temperature === undefined ? {} : { temperature }),
      ...(maxTokens === undefined ? {} : { maxTokens }),
    };

    const controller = new AbortController();
    this.inFlight = controller;
    let started = false;
    try {
      const response = await postChat(this.api, body, controller.signal);
      await streamReply(response, {
        store: this.messages,
        userKey: user.key,
        assistantKey: assistant.key,
        replacedSiblings: replaced ? (replaced.siblingIds.length > 0 ? replaced.siblingIds : [replaced.id]) : undefined,
        replacing: regenerating ? 'assistant' : 'user',
        signal: controller.signal,
        onStart: (event) => {
          started = true;
          const isNew = this.state.conversationId !== event.conversationId;
          this.setState({ status: 'streaming', conversationId: event.conversationId });
          if (isNew) this.options.onConversationCreated?.(event.conversationId);
          const sent = this.messages.getMessage(user.key);
          if (sent) this.options.onMessageSent?.(sent);
        },
      });
      this.setState({ status: 'idle' });
      const finished = this.messages.getMessage(assistant.key);
      if (finished) this.options.onFinish?.(finished);
    } catch (error) {
      this.messages.flush();
      if (controller.signal.aborted) {
        this.afterStop(started, regenerating ? null : user.key, assistant.key);
        return;
      }
      const chatError = toChatError(error);
      if (started) {
        this.messages.update(assistant.key, { state: 'error' });
      } else if (regenerating) {
        this.messages.remove([assistant.key]);
        this.failed = { text, branch, userKey: null };
      } else {
        this.messages.remove([assistant.key]);
        this.messages.update(user.key, { state: 'error' });
        this.failed = { text, branch, userKey: user.key };
      }
      this.setState({ status: 'error', error: chatError });
    } finally {
      if (this.inFlight === controller) this.inFlight = null;
    }
  }

  private afterStop(started: boolean, userKey: string | null, assistantKey: string): void {
    if (started) {
      this.messages.update(assistantKey, { state: 'partial' });
      this.setState({ status: 'idle' });
      return;
    }
    // Stopped before the server named anything: show what it saved, if it saved anything.
    this.messages.remove(userKey ? [userKey, assistantKey] : [assistantKey]);
    this.setState({ status: 'idle' });
    const { conversationId } = this.state;
    if (conversationId) void this.load(conversationId);
  }
}

function draft(role: 'user' | 'assistant', content: string, parentId: string | null): ChatMessageView {
  const id = createLocalId();
  return {
    key: id,
    id,
    parentId,
    role,
    content,
    state: 'complete',
    createdAt: new Date().toISOString(),
    provider: null,
    model: null,
    tokens: null,
    cost: null,
    tools: [],
    siblingIds: [],
  };
}
