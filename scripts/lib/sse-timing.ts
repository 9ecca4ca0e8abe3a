import { createParser } from 'eventsource-parser';
import { chatEventSchema, type ChatEvent } from '../../features/ai-chat/protocol/chat-events';

/** A POST /api/chat read with as little client work as possible before the first token. */
export interface TimedChat {
  status: number;
  /** Request sent → first body chunk holding a text-delta, ms. */
  firstDeltaMs: number;
  /** Request sent → end of the body, ms. */
  totalMs: number;
  /** The events, parsed and validated after the clock stopped. */
  events: ChatEvent[];
  text: string;
  problems: string[];
}

const DELTA_MARK = '"type":"text-delta"';

/**
 * Sends one chat turn and times the first text-delta: the reader only decodes and looks for the
 * delta's marker while the clock runs; parsing and validating the events happens afterwards, so
 * the client's own work is not counted as the server's.
 */
export async function timedChat(url: string, body: Record<string, unknown>, signal: AbortSignal): Promise<TimedChat> {
  const started = performance.now();
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
    body: JSON.stringify(body),
    signal,
  });
  const decoder = new TextDecoder();
  let raw = '';
  let firstDeltaMs = Number.NaN;
  for await (const chunk of response.body! as unknown as AsyncIterable<Uint8Array>) {
    const text = decoder.decode(chunk, { stream: true });
    if (Number.isNaN(firstDeltaMs) && (text.includes(DELTA_MARK) || (raw + text).includes(DELTA_MARK))) firstDeltaMs = performance.now() - started;
    raw += text;
  }
  raw += decoder.decode();
  const totalMs = performance.now() - started;

  const events: ChatEvent[] = [];
  const problems: string[] = [];
  if (response.status !== 200) problems.push(`HTTP ${response.status}: ${raw.slice(0, 500)}`);
  else {
    const parser = createParser({
      onEvent(message) {
        try {
          events.push(chatEventSchema.parse(JSON.parse(message.data)));
        } catch {
          problems.push(`not a chat event: ${message.data.slice(0, 200)}`);
        }
      },
    });
    parser.feed(raw);
  }
  const text = events.flatMap((event) => (event.type === 'text-delta' ? [event.delta] : [])).join('');
  if (response.status === 200) {
    if (events[0]?.type !== 'start') problems.push(`first event is ${events[0]?.type ?? 'none'}, not start`);
    const last = events.at(-1);
    if (last?.type !== 'finish') problems.push(`last event is ${last?.type ?? 'none'}${last?.type === 'error' ? ` (${last.code}: ${last.message})` : ''}, not finish`);
  }
  return { status: response.status, firstDeltaMs, totalMs, events, text, problems };
}
