import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  startFakeAnthropic,
  startFakeOpenAI,
  type FakeProviderServer,
  type FakeReply,
} from '../../support/fake-providers';
import { createReplies, lastUserText } from './replies';

export type ProviderName = 'openai' | 'anthropic';

/** What a test learns about one request a fake provider received. */
export interface SeenRequest {
  model: string;
  text: string;
  /** The names of the tools the request offered the model (none: empty). */
  tools: string[];
}

/** Tool names in any of the three wire formats: Chat Completions nests them under `function`. */
function offeredTools(body: Record<string, unknown>): string[] {
  const tools = Array.isArray(body.tools) ? (body.tools as { name?: unknown; function?: { name?: unknown } }[]) : [];
  return tools.flatMap((tool) => {
    const name = tool.function?.name ?? tool.name;
    return typeof name === 'string' ? [name] : [];
  });
}

/** A request's last user message: its text and the kinds of its file blocks. */
export interface SeenFiles {
  text: string;
  /** The block types that carried files ("image", "document", "input_image", …). */
  files: string[];
}

/** Block types that carry a file in either wire format (Anthropic, OpenAI Responses, Chat Completions). */
const FILE_BLOCK_TYPES = new Set(['image', 'document', 'input_image', 'input_file', 'image_url', 'file']);

function isChatPath(path: string): boolean {
  return path.endsWith('/messages') || path.endsWith('/chat/completions') || path.endsWith('/responses');
}

function lastUserFiles(body: Record<string, unknown>): string[] {
  const list = Array.isArray(body.messages) ? body.messages : Array.isArray(body.input) ? body.input : [];
  const users = (list as { role?: unknown; content?: unknown }[]).filter((message) => message.role === 'user');
  const content = users.at(-1)?.content;
  if (!Array.isArray(content)) return [];
  return (content as { type?: unknown }[]).flatMap((block) => (typeof block.type === 'string' && FILE_BLOCK_TYPES.has(block.type) ? [block.type] : []));
}

export interface FakeProviders {
  openaiUrl: string;
  anthropicUrl: string;
  /** Base URL of the control endpoint the test files (in another process) drive the fakes with. */
  controlUrl: string;
  close(): Promise<void>;
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const parts: Buffer[] = [];
  for await (const part of req) parts.push(part as Buffer);
  return parts.length === 0 ? {} : JSON.parse(Buffer.concat(parts).toString('utf8'));
}

/**
 * Starts both fake providers on free loopback ports, answering by the message markers of
 * `replyFor`, plus a small JSON control server: the app is started once in the global setup, but
 * each test needs to queue a reply, make a provider fail or read what it received.
 */
export async function startFakeProviders(): Promise<FakeProviders> {
  const failing: Record<ProviderName, boolean> = { openai: false, anthropic: false };
  const replyFor = createReplies();
  const answer = (provider: ProviderName) => (body: Record<string, unknown>): FakeReply =>
    failing[provider] ? { httpError: { status: 500 } } : replyFor(body);
  const [openai, anthropic] = await Promise.all([
    startFakeOpenAI({ defaultReply: answer('openai') }),
    startFakeAnthropic({ defaultReply: answer('anthropic') }),
  ]);
  const fakes: Record<ProviderName, FakeProviderServer> = { openai, anthropic };

  const control = createServer((req, res) => {
    const [, provider, action] = (req.url ?? '').split('/');
    const fake = fakes[provider as ProviderName];
    const reply = (status: number, body: unknown) =>
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (!fake) return reply(404, { error: `no provider ${provider}` });
    readJson(req)
      .then((body) => {
        if (req.method === 'POST' && action === 'script') {
          fake.script(...(body as { replies: FakeReply[] }).replies);
          return reply(200, {});
        }
        if (req.method === 'POST' && action === 'reset') {
          // Drops scripted replies nobody asked for: a journey whose request never reached the
          // provider (refused by a limit, say) must not hand its reply to the next journey.
          fake.reset();
          return reply(200, {});
        }
        if (req.method === 'POST' && action === 'failing') {
          failing[provider as ProviderName] = (body as { failing: boolean }).failing;
          return reply(200, {});
        }
        if (req.method === 'GET' && action === 'requests') {
          const seen: SeenRequest[] = fake.requests
            .filter((request) => isChatPath(request.path))
            .map((request) => ({ model: String(request.body.model), text: lastUserText(request.body), tools: offeredTools(request.body) }));
          return reply(200, seen);
        }
        if (req.method === 'GET' && action === 'files') {
          const seen: SeenFiles[] = fake.requests
            .filter((request) => isChatPath(request.path))
            .map((request) => ({ text: lastUserText(request.body), files: lastUserFiles(request.body) }));
          return reply(200, seen);
        }
        return reply(404, { error: `no action ${action}` });
      })
      .catch((error: unknown) => reply(400, { error: String(error) }));
  });
  await new Promise<void>((resolve) => control.listen(0, '127.0.0.1', resolve));
  const { port } = control.address() as AddressInfo;

  return {
    openaiUrl: openai.url,
    anthropicUrl: anthropic.url,
    controlUrl: `http://127.0.0.1:${port}`,
    async close() {
      control.closeAllConnections();
      await Promise.all([
        new Promise<void>((resolve) => control.close(() => resolve())),
        openai.close(),
        anthropic.close(),
      ]);
    },
  };
}

/** The test side of the control server. */
export function providerControl(controlUrl: string) {
  const call = async (method: 'GET' | 'POST', path: string, body?: unknown) => {
    const response = await fetch(`${controlUrl}${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`provider control ${method} ${path}: ${response.status} ${await response.text()}`);
    return response.json() as Promise<unknown>;
  };
  return {
    /** Queue replies: the provider's next requests get them, in order, before any default. */
    script: (provider: ProviderName, ...replies: FakeReply[]) => call('POST', `/${provider}/script`, { replies }),
    /** Forgets both fakes' unused scripts and seen requests. */
    reset: () => Promise.all([call('POST', '/openai/reset', {}), call('POST', '/anthropic/reset', {})]),
    /** While on, every request to the provider answers HTTP 500 (the SDK's retries included). */
    setFailing: (provider: ProviderName, failing: boolean) => call('POST', `/${provider}/failing`, { failing }),
    /** Every chat request the provider received since the run started. */
    requests: async (provider: ProviderName) => (await call('GET', `/${provider}/requests`)) as SeenRequest[],
    /** The last user message of every chat request, with the files it carried. */
    files: async (provider: ProviderName) => (await call('GET', `/${provider}/files`)) as SeenFiles[],
  };
}
