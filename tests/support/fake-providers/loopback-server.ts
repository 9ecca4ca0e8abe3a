import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import type { FakeReply, Frame, RecordedRequest } from './script';

/** How a fake provider answers one request; the loopback server does the HTTP and the recording. */
export interface WireFormat {
  /** The path this provider serves, e.g. `/v1/chat/completions`. */
  path: string;
  /** The reply used when the test scripted nothing. */
  defaultReply(body: Record<string, unknown>): FakeReply;
  errorBody(reply: FakeReply, request: RecordedRequest): { status: number; headers: Record<string, string>; body: unknown };
  completionBody(reply: FakeReply, body: Record<string, unknown>): unknown;
  streamFrames(reply: FakeReply, body: Record<string, unknown>): Frame[];
  streamErrorFrame(error: NonNullable<FakeReply['streamError']>): string;
  notFoundBody(path: string): unknown;
  /** Other JSON endpoints this provider answers (POST), by path. */
  extraRoutes?: Record<string, (body: Record<string, unknown>) => unknown>;
  /**
   * Wraps the choice of a reply: `choose` takes the queue, else the default reply, given the body
   * the reply script should read (a wire format unlike the others can hand it a translation), and
   * the format may then add what the request's markers ask for or refuse the request.
   */
  chooseReply?(body: Record<string, unknown>, choose: (scriptBody: Record<string, unknown>) => FakeReply): FakeReply;
}

export interface FakeProviderOptions {
  /** Default 0 (any free port); e2e runs pin one. */
  port?: number;
  /** The reply when the queue is empty. Default: echo the last user message. */
  defaultReply?: FakeReply | ((body: Record<string, unknown>) => FakeReply);
}

export interface FakeProviderServer {
  /** The base URL to hand to the SDK (`baseURL`). */
  readonly url: string;
  /** Every request received, in order. */
  readonly requests: RecordedRequest[];
  /** How many requests the client closed before their response ended. */
  readonly aborts: number;
  /** Queue replies, answered in order, one per request. */
  script(...replies: FakeReply[]): void;
  /** Resolves once `count` client aborts have been seen (rejects after `timeoutMs`). */
  waitForAborts(count?: number, timeoutMs?: number): Promise<void>;
  /** Forget requests, aborts and queued replies. */
  reset(): void;
  close(): Promise<void>;
}

function apiKeyOf(headers: IncomingMessage['headers']): string | undefined {
  const bearer = /^Bearer (.+)$/.exec(headers.authorization ?? '');
  if (bearer) return bearer[1];
  const header = headers['x-api-key'];
  return typeof header === 'string' ? header : undefined;
}

async function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const parts: Buffer[] = [];
  for await (const part of req) parts.push(part as Buffer);
  try {
    const parsed: unknown = JSON.parse(Buffer.concat(parts).toString('utf8'));
    return parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A node:http server on 127.0.0.1 that answers with scripted replies in a provider's wire format. */
export async function startLoopbackProvider(
  formatOrFormats: WireFormat | readonly WireFormat[],
  urlSuffix: string,
  options: FakeProviderOptions = {},
): Promise<FakeProviderServer> {
  // Several formats: one server answering on several paths (OpenAI Chat Completions and Responses).
  const formats = Array.isArray(formatOrFormats) ? formatOrFormats : [formatOrFormats as WireFormat];
  const main = formats[0]!;
  const queue: FakeReply[] = [];
  const requests: RecordedRequest[] = [];
  let aborts = 0;
  const abortWaiters = new Set<() => void>();

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const record: RecordedRequest = {
      method: req.method ?? 'GET',
      path,
      headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)])),
      body: {},
      apiKey: apiKeyOf(req.headers),
      aborted: false,
    };
    let cutByUs = false;
    res.on('close', () => {
      if (res.writableFinished || cutByUs) return;
      record.aborted = true;
      aborts += 1;
      for (const wake of abortWaiters) wake();
    });
    record.body = await readBody(req);
    requests.push(record);

    const format = formats.find((candidate) => candidate.path === path) ?? main;
    const extra = req.method === 'POST' ? main.extraRoutes?.[path] : undefined;
    if (extra) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(extra(record.body)));
      return;
    }
    if (req.method !== 'POST' || path !== format.path) {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify(format.notFoundBody(path)));
      return;
    }

    const choose = (scriptBody: Record<string, unknown>) => {
      const fallback = options.defaultReply ?? format.defaultReply;
      return queue.shift() ?? (typeof fallback === 'function' ? fallback(scriptBody) : fallback);
    };
    const reply = format.chooseReply ? format.chooseReply(record.body, choose) : choose(record.body);

    if (reply.httpError) {
      const error = format.errorBody(reply, record);
      res.writeHead(error.status, { 'content-type': 'application/json', ...error.headers });
      res.end(JSON.stringify(error.body));
      return;
    }
    if (record.body.stream !== true) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(format.completionBody(reply, record.body)));
      return;
    }

    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    res.flushHeaders();
    let contentFrames = 0;
    for (const frame of format.streamFrames(reply, record.body)) {
      const delayMs = frame.delayMs ?? reply.delayMs;
      if (delayMs) await sleep(delayMs);
      if (res.destroyed) return; // the client went away; stop writing
      res.write(frame.text);
      if (!frame.content) continue;
      contentFrames += 1;
      if (reply.streamError && contentFrames === reply.streamError.afterChunks) {
        res.end(format.streamErrorFrame(reply.streamError));
        return;
      }
      if (reply.failAfterChunks !== undefined && contentFrames === reply.failAfterChunks) {
        cutByUs = true;
        // Let the frame reach the client before the reset.
        await sleep(20);
        res.destroy();
        req.socket.destroy();
        return;
      }
    }
    res.end();
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(String(error));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}${urlSuffix}`,
    requests,
    get aborts() {
      return aborts;
    },
    script(...replies) {
      queue.push(...replies);
    },
    waitForAborts(count = 1, timeoutMs = 5_000) {
      return new Promise<void>((resolve, reject) => {
        const check = () => {
          if (aborts < count) return;
          clearTimeout(timer);
          abortWaiters.delete(check);
          resolve();
        };
        const timer = setTimeout(() => {
          abortWaiters.delete(check);
          reject(new Error(`expected ${count} aborted request(s), saw ${aborts}`));
        }, timeoutMs);
        abortWaiters.add(check);
        check();
      });
    },
    reset() {
      queue.length = 0;
      requests.length = 0;
      aborts = 0;
    },
    close() {
      server.closeAllConnections();
      return new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}
