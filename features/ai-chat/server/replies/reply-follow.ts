import 'server-only';
import { chatEventSchema, type ChatEvent } from '../../protocol/chat-events';
import type { ReplyRunSnapshot, ReplyRunStore } from '../../store/chat-store';
import { createSseStream, type SseFraming } from '../http/sse-stream';

export interface FollowOptions {
  store: ReplyRunStore;
  userId: string;
  /** How often to read new checkpoint chunks: polling is the notification (it works through PostgREST). */
  pollMs: number;
  pingIntervalMs: number;
  staleReplySeconds: number;
  /** Claims a stale run (marks it interrupted) before reading it again. */
  sweep: (id: string) => Promise<void>;
  /** Another protocol's framing (the AI SDK's); default: ours. */
  framing?: SseFraming;
}

/**
 * A reply generated on another instance, as SSE in the POST's format: its checkpointed events
 * from the start, then new chunks as they land, until the run ends. A run whose instance died is
 * marked interrupted (by us, if nobody did yet) and ends with its settled usage and an
 * `interrupted` error. Cancelling only stops reading.
 */
export function followFromCheckpoints(first: ReplyRunSnapshot, options: FollowOptions): ReadableStream<Uint8Array> {
  return createSseStream(
    async (writer) => {
      let snapshot: ReplyRunSnapshot | null = first;
      let lastSeq = -1;
      let ended = false;
      try {
        while (snapshot && !writer.closed) {
          for (const chunk of snapshot.chunks) {
            if (chunk.seq <= lastSeq) continue;
            lastSeq = chunk.seq;
            for (const raw of chunk.events) {
              const parsed = chatEventSchema.safeParse(raw);
              if (!parsed.success) continue;
              if (parsed.data.type === 'finish' || parsed.data.type === 'error') ended = true;
              writer.send(parsed.data);
            }
          }
          if (snapshot.state !== 'generating') {
            if (!ended && snapshot.state === 'interrupted') for (const event of interruptedEnd(snapshot)) writer.send(event);
            break;
          }
          await sleep(options.pollMs);
          if (snapshot.staleSeconds > options.staleReplySeconds) await options.sweep(snapshot.id);
          snapshot = await options.store.read(options.userId, snapshot.id, lastSeq);
        }
      } catch (error) {
        console.error('ai-chat: could not follow the reply', error);
        writer.send({ type: 'error', code: 'network', message: 'Lost track of the reply; reload the conversation to see it.' });
      }
      writer.close();
    },
    { pingIntervalMs: options.pingIntervalMs, ...options.framing },
  );
}

/** How a follower learns that a reply's server died: what was settled, then the error. */
function interruptedEnd(snapshot: ReplyRunSnapshot): ChatEvent[] {
  const settlement = snapshot.settlement;
  const usage: ChatEvent[] = settlement
    ? [
        {
          type: 'usage',
          promptTokens: settlement.promptTokens,
          completionTokens: settlement.completionTokens,
          totalTokens: settlement.promptTokens + settlement.completionTokens,
          cost: settlement.cost,
          cachedPromptTokens: settlement.cachedPromptTokens ?? 0,
          cacheWriteTokens: settlement.cacheWriteTokens ?? 0,
        },
      ]
    : [];
  return [...usage, { type: 'error', code: 'interrupted', message: 'The server stopped while writing this reply.' }];
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
