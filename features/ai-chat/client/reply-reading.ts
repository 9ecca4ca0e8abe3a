import type { ChatTransport } from './chat-transport';

/**
 * How long a stopped reply's stream may take to end before the reader gives up on it and re-reads
 * the conversation instead. The server ends it within about a second.
 */
export const STOP_GRACE_MS = 3_000;

/**
 * One reply being read on the client: its stream, the server's id for it, and the two ways the
 * reader lets go of it. `stop` asks the server to stop the reply (for every tab reading it) and
 * reads on until the stream ends as stopped; `detach` only stops reading, and the server goes on
 * writing and saving the reply (leaving the chat, New chat, unmount).
 */
export class ReplyReading {
  private readonly controller = new AbortController();
  private serverId: string | null = null;
  private stopping = false;
  private grace: ReturnType<typeof setTimeout> | null = null;
  private detachedByReader = false;

  constructor(private readonly transport: ChatTransport) {}

  /** Aborted when the reader lets go of the stream (detach, or a stop the server could not take). */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** True once the reader let go without stopping the reply: nothing of its ending is shown. */
  get detached(): boolean {
    return this.detachedByReader;
  }

  /** The server's id for the reply, once its `start` named it. */
  get replyId(): string | null {
    return this.serverId;
  }

  /** True once this reader asked the server to stop the reply. */
  get stopRequested(): boolean {
    return this.stopping;
  }

  /** The server named the reply (its `start`): a Stop asked for before then is sent now. */
  named(replyId: string): void {
    this.serverId = replyId;
    if (this.stopping) void this.sendStop(replyId);
  }

  /** Asks the server to stop the reply; the stream then ends with what was written, as stopped. */
  stop(): void {
    if (this.stopping || this.signal.aborted) return;
    this.stopping = true;
    // Not named yet: the stop goes with the `start`, unless that never comes.
    this.armGrace();
    if (this.serverId) void this.sendStop(this.serverId);
  }

  /** Stops reading only: the reply goes on on the server, and a later load attaches to it again. */
  detach(): void {
    this.detachedByReader = true;
    this.end();
    this.controller.abort();
  }

  /** The stream has ended: nothing is waited for any more. */
  end(): void {
    if (this.grace) clearTimeout(this.grace);
    this.grace = null;
  }

  private async sendStop(replyId: string): Promise<void> {
    try {
      await this.transport.stopReply(replyId);
      this.armGrace();
    } catch {
      // Gone (404: it ended and was saved) or the server is unreachable: no stream will tell how
      // it ended, so stop reading; the conversation is re-read as saved.
      this.giveUp();
    }
  }

  private armGrace(): void {
    if (this.grace) clearTimeout(this.grace);
    this.grace = setTimeout(() => this.giveUp(), STOP_GRACE_MS);
  }

  private giveUp(): void {
    this.end();
    this.controller.abort();
  }
}
