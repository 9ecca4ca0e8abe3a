import http from 'node:http';
import { createParser } from 'eventsource-parser';
import { chatEventSchema, type ChatEvent } from '../../features/ai-chat/protocol/chat-events';

type EventOf<T extends ChatEvent['type']> = Extract<ChatEvent, { type: T }>;

/** One POST /api/chat as a client saw it: the events in order, the reply text and the timings. */
export interface ChatTurn {
  status: number;
  /** Non-SSE answers (refusals, 5xx pages) keep their body here, cut to 2 KB. */
  refusal?: string;
  events: ChatEvent[];
  /** The text-deltas joined in arrival order. */
  text: string;
  deltas: number;
  start?: EventOf<'start'>;
  usage?: EventOf<'usage'>;
  finish?: EventOf<'finish'>;
  error?: EventOf<'error'>;
  /** From sending the request to the response's headers, ms. */
  headersMs: number;
  /** From sending the request to the `start` event (the turn is planned and saved), ms. */
  startMs?: number;
  /** From sending the request to the first text-delta, ms. */
  firstDeltaMs?: number;
  /** From sending the request to the end of the body, ms. */
  totalMs: number;
  /** Frames that were not valid events, or an event out of place. */
  protocolProblems: string[];
}

/** Sends one chat message (to `route`, /api/chat unless a benchmark's reference) and reads the SSE answer to its end, validating every event. */
export async function postChatTurn(
  baseUrl: string,
  body: Record<string, unknown>,
  signal: AbortSignal,
  onEvent?: (event: ChatEvent, turn: ChatTurn) => void,
  route = '/api/chat',
): Promise<ChatTurn> {
  const started = performance.now();
  const response = await fetch(`${baseUrl}${route}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
    body: JSON.stringify(body),
    signal,
  });
  return readChatStream(response, started, onEvent);
}

/** Follows a reply in progress from any instance (GET {base}/replies/:id/stream), read like a POST's answer. */
export async function followReply(
  baseUrl: string,
  replyId: string,
  signal: AbortSignal,
  onEvent?: (event: ChatEvent, turn: ChatTurn) => void,
): Promise<ChatTurn> {
  const started = performance.now();
  const response = await fetch(`${baseUrl}/api/chat/replies/${replyId}/stream`, { headers: { accept: 'text/event-stream' }, signal });
  return readChatStream(response, started, onEvent);
}

/** Reads a chat event stream to its end, validating every event; a non-SSE answer keeps its body. */
export async function readChatStream(
  response: Response,
  started: number,
  onEvent?: (event: ChatEvent, turn: ChatTurn) => void,
): Promise<ChatTurn> {
  const turn = answeredTurn(response.status, started);
  if (!response.ok || !(response.headers.get('content-type') ?? '').startsWith('text/event-stream')) {
    turn.refusal = (await response.text()).slice(0, 2_000);
    turn.totalMs = performance.now() - started;
    return turn;
  }

  const parser = chatEventParser(turn, started, onEvent);
  const decoder = new TextDecoder();
  for await (const chunk of response.body! as unknown as AsyncIterable<Uint8Array>) {
    parser.feed(decoder.decode(chunk, { stream: true }));
  }
  parser.feed(decoder.decode());
  turn.totalMs = performance.now() - started;
  return turn;
}

/** What is wrong with a turn that should have streamed `expected` and finished; empty when nothing. */
export function turnProblems(turn: ChatTurn, expected: string): string[] {
  const problems = [...turn.protocolProblems];
  if (turn.status !== 200) problems.push(`HTTP ${turn.status}: ${turn.refusal ?? ''}`);
  else if (turn.refusal !== undefined) problems.push(`not an event stream: ${turn.refusal}`);
  if (turn.error) problems.push(`error event ${turn.error.code}: ${turn.error.message}`);
  if (turn.status === 200 && turn.refusal === undefined) {
    if (!turn.start) problems.push('no start event');
    if (!turn.usage) problems.push('no usage event');
    if (!turn.finish) problems.push('the stream ended without a finish event');
    else if (turn.finish.finishReason !== 'stop') problems.push(`finishReason ${turn.finish.finishReason}`);
    if (turn.text !== expected) {
      const at = [...expected].findIndex((char, index) => turn.text[index] !== char);
      problems.push(
        `reply differs from what the provider sent (${turn.text.length} of ${expected.length} chars, first difference at ${at}): ` +
          `got …${JSON.stringify(turn.text.slice(Math.max(0, at - 20), at + 20))}`,
      );
    }
  }
  return problems;
}

/** A turn whose answer's headers just arrived, nothing read yet. */
function answeredTurn(status: number, started: number): ChatTurn {
  return { status, events: [], text: '', deltas: 0, headersMs: performance.now() - started, totalMs: 0, protocolProblems: [] };
}

/** The SSE parser that fills `turn` from a chat event stream, validating every event. */
function chatEventParser(turn: ChatTurn, started: number, onEvent?: (event: ChatEvent, turn: ChatTurn) => void) {
  return createParser({
    onEvent(message) {
      let event: ChatEvent;
      try {
        event = chatEventSchema.parse(JSON.parse(message.data));
      } catch {
        turn.protocolProblems.push(`not a chat event: ${message.data.slice(0, 200)}`);
        return;
      }
      if (turn.events.length === 0 && event.type !== 'start') turn.protocolProblems.push(`first event is ${event.type}, not start`);
      if (turn.finish || turn.error) turn.protocolProblems.push(`${event.type} after the last event`);
      turn.events.push(event);
      switch (event.type) {
        case 'text-delta':
          turn.firstDeltaMs ??= performance.now() - started;
          turn.text += event.delta;
          turn.deltas += 1;
          break;
        case 'start':
          turn.start = event;
          turn.startMs = performance.now() - started;
          break;
        case 'usage':
          turn.usage = event;
          break;
        case 'finish':
          turn.finish = event;
          break;
        case 'error':
          turn.error = event;
          break;
      }
      onEvent?.(event, turn);
    },
  });
}

/** Keep-alive connections for the lean client below, as a browser would hold them. */
const leanAgent = new http.Agent({ keepAlive: true, maxSockets: Infinity });

/**
 * postChatTurn through `node:http` rather than fetch: the same request and the same checks, at a
 * fraction of the client's CPU. For the load scripts, whose generator shares the machine's cores
 * with the servers it measures (fetch's web streams cost it several ms of CPU a chat).
 */
export function postChatTurnLean(
  baseUrl: string,
  body: Record<string, unknown>,
  signal: AbortSignal,
  route = '/api/chat',
  extraHeaders: Record<string, string> = {},
): Promise<ChatTurn> {
  const started = performance.now();
  const payload = JSON.stringify(body);
  return new Promise<ChatTurn>((resolve, reject) => {
    const request = http.request(
      `${baseUrl}${route}`,
      {
        method: 'POST',
        agent: leanAgent,
        signal,
        headers: { 'content-type': 'application/json', accept: 'text/event-stream', 'content-length': Buffer.byteLength(payload), ...extraHeaders },
      },
      (response) => {
        const turn = answeredTurn(response.statusCode ?? 0, started);
        response.setEncoding('utf8');
        const isStream = turn.status === 200 && (response.headers['content-type'] ?? '').startsWith('text/event-stream');
        const parser = isStream ? chatEventParser(turn, started) : null;
        let refusal = '';
        response.on('data', (text: string) => {
          if (parser) parser.feed(text);
          else if (refusal.length < 2_000) refusal += text;
        });
        response.on('end', () => {
          if (!parser) turn.refusal = refusal.slice(0, 2_000);
          turn.totalMs = performance.now() - started;
          resolve(turn);
        });
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(payload);
  });
}
