import 'server-only';
import type { ChatEvent } from '../../protocol/chat-events';
import type { MessagePart, ReasoningPart } from '../../protocol/parts';
import { textBecomesRefusal } from '../../protocol/reduce-parts';
import type { ProviderName } from '../../providers/types';

/**
 * The parts of one provider call, in the order the model wrote them, and the reasoning events the
 * client sees. Reasoning is timed here, by the server: from its start to the first answer text,
 * tool call or refusal, or to the end of its block or of the call, whichever comes first.
 */
export class StepParts {
  readonly parts: MessagePart[] = [];
  /** The reasoning blocks as the provider closed them (signatures and all), to send back in a tool loop. */
  readonly reasoning: ReasoningPart[] = [];
  private openedAt: number | null = null;
  /** Where the open (or last closed) block's part belongs, before what followed it. */
  private slot = -1;
  private shownText = '';
  private lastDurationMs: number | undefined;
  /** A closed block whose part has not arrived yet (OpenAI may send the summary last). */
  private awaitingPart = false;

  constructor(
    private readonly provider: ProviderName,
    private readonly emit: (event: ChatEvent) => void,
    private readonly now: () => number = Date.now,
  ) {}

  reasoningStart(): void {
    if (this.openedAt !== null) return;
    this.settleUnclaimedText();
    this.openedAt = this.now();
    this.slot = this.parts.length;
    this.awaitingPart = true;
    this.emit({ type: 'reasoning-start' });
  }

  reasoningDelta(delta: string): void {
    if (this.openedAt === null && !this.awaitingPart) this.reasoningStart();
    this.shownText += delta;
    this.emit({ type: 'reasoning-delta', delta });
  }

  /** A whole block, as its provider must get it back. */
  reasoningPart(part: ReasoningPart): void {
    if (this.openedAt === null && !this.awaitingPart) {
      // A block that streamed nothing before it ended (a redacted one, say): its own start and end.
      this.reasoningStart();
    }
    this.closeReasoning();
    const durationMs = part.durationMs ?? this.lastDurationMs;
    const kept: ReasoningPart = { ...part, ...(durationMs === undefined ? {} : { durationMs }) };
    this.reasoning.push(kept);
    this.parts.splice(this.slot, 0, kept);
    this.awaitingPart = false;
    this.shownText = '';
    this.slot = -1;
  }

  text(delta: string): void {
    this.answerBegins();
    this.append('text', delta);
  }

  refusal(delta: string): void {
    this.answerBegins();
    this.append('refusal', delta);
    this.emit({ type: 'refusal-delta', delta });
  }

  toolCall(call: { id: string; name: string; args: unknown }): void {
    this.answerBegins();
    this.parts.push({ type: 'tool-call', id: call.id, name: call.name, args: call.args });
  }

  /** The call ended (finished, failed or stopped): close what is open. */
  end(): void {
    this.closeReasoning();
    this.settleUnclaimedText();
  }

  /** Everything the user saw streamed, reasoning and refusal included: what metering counts when no report came. */
  streamedText(): string {
    let text = this.shownText;
    for (const part of this.parts) if (part.type === 'text' || part.type === 'refusal' || part.type === 'reasoning') text += part.text;
    return text;
  }

  hasRefusal(): boolean {
    return this.parts.some((part) => part.type === 'refusal');
  }

  /** The text streamed was the refusal (the provider said so at its end): the client is told too. */
  textBecomesRefusal(): void {
    const parts = textBecomesRefusal(this.parts);
    this.parts.length = 0;
    this.parts.push(...parts);
    this.emit({ type: 'text-is-refusal' });
  }

  private answerBegins(): void {
    this.closeReasoning();
  }

  private closeReasoning(): void {
    if (this.openedAt === null) return;
    const durationMs = Math.max(0, Math.round(this.now() - this.openedAt));
    this.openedAt = null;
    this.lastDurationMs = durationMs;
    this.emit({ type: 'reasoning-end', durationMs });
  }

  /**
   * Reasoning text that streamed without its block arriving (a stopped call, an adapter that sends
   * no blocks) is still kept to be shown, with no provider secret, so it is never sent back.
   */
  private settleUnclaimedText(): void {
    if (!this.awaitingPart || this.openedAt !== null) return;
    if (this.shownText) {
      const part: ReasoningPart = {
        type: 'reasoning',
        text: this.shownText,
        provider: this.provider,
        ...(this.lastDurationMs === undefined ? {} : { durationMs: this.lastDurationMs }),
      };
      this.parts.splice(this.slot, 0, part);
    }
    this.awaitingPart = false;
    this.shownText = '';
    this.slot = -1;
  }

  private append(type: 'text' | 'refusal', delta: string): void {
    const last = this.parts.at(-1);
    if (last && last.type === type) last.text += delta;
    else this.parts.push({ type, text: delta });
  }
}
