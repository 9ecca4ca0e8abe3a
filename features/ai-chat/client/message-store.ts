import { type ChatMessageView, sameView } from './chat-message-view';
import { appendToParts, type StreamedKind } from '../protocol/reduce-parts';

type Listener = () => void;

/** Streamed text not yet applied, in arrival order; consecutive pieces of one kind are joined. */
type PendingSegment = { kind: StreamedKind; text: string };

/**
 * The messages of one chat, outside React. Rows subscribe to their own message, the list to
 * the keys, so a streamed token re-renders one row. Text, reasoning and refusal deltas are
 * buffered and applied once per frame; every other change is applied at once (after flushing
 * pending text).
 */
export class MessageStore {
  private keys: readonly string[] = [];
  private readonly byKey = new Map<string, ChatMessageView>();
  private readonly keyListeners = new Set<Listener>();
  private readonly rowListeners = new Map<string, Set<Listener>>();
  private readonly anyListeners = new Set<Listener>();
  private messagesSnapshot: readonly ChatMessageView[] | null = [];
  private readonly pendingText = new Map<string, PendingSegment[]>();
  private cancelFrame: (() => void) | null = null;

  getKeys = (): readonly string[] => this.keys;

  getMessage = (key: string): ChatMessageView | undefined => this.byKey.get(key);

  /** All messages in order; the same array until something changes. */
  getMessages = (): readonly ChatMessageView[] => {
    this.messagesSnapshot ??= this.keys.flatMap((key) => this.byKey.get(key) ?? []);
    return this.messagesSnapshot;
  };

  /** The message with this server (or local) id. */
  findById(id: string): ChatMessageView | undefined {
    for (const key of this.keys) {
      const message = this.byKey.get(key);
      if (message?.id === id) return message;
    }
    return undefined;
  }

  last(): ChatMessageView | undefined {
    const key = this.keys[this.keys.length - 1];
    return key === undefined ? undefined : this.byKey.get(key);
  }

  subscribeKeys = (listener: Listener): (() => void) => subscribe(this.keyListeners, listener);

  subscribeAll = (listener: Listener): (() => void) => subscribe(this.anyListeners, listener);

  subscribeMessage = (key: string, listener: Listener): (() => void) => {
    let set = this.rowListeners.get(key);
    if (!set) {
      set = new Set();
      this.rowListeners.set(key, set);
    }
    const unsubscribe = subscribe(set, listener);
    return () => {
      unsubscribe();
      if (set.size === 0) this.rowListeners.delete(key);
    };
  };

  /** Replaces the list, keeping the object of every message that did not change. */
  replaceAll(messages: readonly ChatMessageView[]): void {
    this.flush();
    const changed: string[] = [];
    const nextKeys: string[] = [];
    const seen = new Set<string>();
    for (const incoming of messages) {
      // A message we already show under a local key keeps that key (and its row).
      const existing = this.findById(incoming.id);
      const key = existing?.key ?? incoming.key;
      const next = existing && sameView(existing, { ...incoming, key }) ? existing : { ...incoming, key };
      if (this.byKey.get(key) !== next) changed.push(key);
      this.byKey.set(key, next);
      nextKeys.push(key);
      seen.add(key);
    }
    for (const key of this.keys) if (!seen.has(key)) this.byKey.delete(key);
    this.setKeys(nextKeys);
    this.emit(changed);
  }

  /** Appends messages after the one with key `afterKey` (dropping what followed it), or at the end. */
  append(messages: readonly ChatMessageView[], options: { afterKey?: string | null } = {}): void {
    this.flush();
    let base = this.keys;
    if (options.afterKey !== undefined) {
      const index = options.afterKey === null ? -1 : this.keys.indexOf(options.afterKey);
      base = this.keys.slice(0, index + 1);
      for (const key of this.keys.slice(index + 1)) this.byKey.delete(key);
    }
    for (const message of messages) this.byKey.set(message.key, message);
    this.setKeys([...base, ...messages.map((m) => m.key)]);
    this.emit(messages.map((m) => m.key));
  }

  update(key: string, patch: Partial<Omit<ChatMessageView, 'key'>>): void {
    this.flush();
    const current = this.byKey.get(key);
    if (!current) return;
    this.byKey.set(key, { ...current, ...patch });
    this.emit([key]);
  }

  remove(keys: readonly string[]): void {
    this.flush();
    const drop = new Set(keys);
    for (const key of drop) this.byKey.delete(key);
    this.setKeys(this.keys.filter((key) => !drop.has(key)));
    this.emit([]);
  }

  /** Buffers streamed answer text; it reaches subscribers on the next frame. */
  appendText(key: string, delta: string): void {
    this.appendStreamed(key, 'text', delta);
  }

  /** Buffers streamed text of a part (answer, reasoning or refusal); applied on the next frame. */
  appendStreamed(key: string, kind: StreamedKind, delta: string): void {
    if (delta === '') return;
    let segments = this.pendingText.get(key);
    if (!segments) {
      segments = [];
      this.pendingText.set(key, segments);
    }
    const last = segments[segments.length - 1];
    if (last?.kind === kind) last.text += delta;
    else segments.push({ kind, text: delta });
    this.cancelFrame ??= scheduleFrame(() => {
      this.cancelFrame = null;
      this.flush();
    });
  }

  /** Applies buffered text now (before finishing, stopping or any other change). */
  flush(): void {
    this.cancelFrame?.();
    this.cancelFrame = null;
    if (this.pendingText.size === 0) return;
    const changed: string[] = [];
    for (const [key, segments] of this.pendingText) {
      const current = this.byKey.get(key);
      if (!current) continue;
      let { content, parts } = current;
      for (const { kind, text } of segments) {
        if (kind === 'text') content += text;
        parts = appendToParts(parts, kind, text, current.provider);
      }
      this.byKey.set(key, { ...current, content, parts });
      changed.push(key);
    }
    this.pendingText.clear();
    this.emit(changed);
  }

  private setKeys(next: readonly string[]): void {
    const same = next.length === this.keys.length && next.every((key, i) => key === this.keys[i]);
    if (same) return;
    this.keys = next;
    this.messagesSnapshot = null;
    for (const listener of [...this.keyListeners]) listener();
  }

  private emit(changedKeys: readonly string[]): void {
    if (changedKeys.length > 0) this.messagesSnapshot = null;
    for (const key of changedKeys) {
      const listeners = this.rowListeners.get(key);
      if (listeners) for (const listener of [...listeners]) listener();
    }
    for (const listener of [...this.anyListeners]) listener();
  }
}

function subscribe(set: Set<Listener>, listener: Listener): () => void {
  set.add(listener);
  return () => set.delete(listener);
}

/**
 * Runs `callback` once before the next paint (requestAnimationFrame), or after ~16 ms where
 * there is no animation frame (workers, tests, server). Returns a cancel function.
 */
export function scheduleFrame(callback: () => void): () => void {
  if (typeof requestAnimationFrame === 'function' && typeof cancelAnimationFrame === 'function') {
    const handle = requestAnimationFrame(() => callback());
    return () => cancelAnimationFrame(handle);
  }
  const handle = setTimeout(callback, 16);
  return () => clearTimeout(handle);
}
