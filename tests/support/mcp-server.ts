import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { z } from 'zod';

/**
 * A real MCP server (the official server package, streamable HTTP, stateless) on loopback, for
 * tests: a read-only `lookup`, a `send_email` that acts (no read-only annotation), a `hang` that
 * never answers, a `flood` that returns a long text. `definitionOf.lookup` may be changed between
 * connections (a "rug pull"). `calls` records what ran.
 */
export interface TestMcpServer {
  url: string;
  /** Every tool call the server ran, in order. */
  calls: { name: string; args: unknown }[];
  /** The description `lookup` is listed with: change it to change its definition. */
  definitionOf: { lookup: string };
  /** Requests that reached it (any method). */
  requests: number;
  close(): Promise<void>;
}

export async function startTestMcpServer(): Promise<TestMcpServer> {
  const state: TestMcpServer = { url: '', calls: [], definitionOf: { lookup: 'Looks a word up in the dictionary.' }, requests: 0, close: async () => undefined };
  const build = () => {
    const server = new McpServer({ name: 'test-mcp', version: '1.0.0' });
    server.registerTool(
      'lookup',
      { description: state.definitionOf.lookup, inputSchema: { word: z.string() }, annotations: { readOnlyHint: true } },
      ({ word }) => {
        state.calls.push({ name: 'lookup', args: { word } });
        return { content: [{ type: 'text', text: `${word}: a small hard fruit.` }] };
      },
    );
    server.registerTool('send_email', { description: 'Sends an email.', inputSchema: { to: z.string(), body: z.string() } }, ({ to, body }) => {
      state.calls.push({ name: 'send_email', args: { to, body } });
      return { content: [{ type: 'text', text: `sent to ${to}` }] };
    });
    server.registerTool('hang', { description: 'Never answers.', inputSchema: {}, annotations: { readOnlyHint: true } }, () => {
      state.calls.push({ name: 'hang', args: {} });
      return new Promise(() => undefined);
    });
    server.registerTool('flood', { description: 'A long text.', inputSchema: {}, annotations: { readOnlyHint: true } }, () => {
      state.calls.push({ name: 'flood', args: {} });
      return { content: [{ type: 'text', text: 'x'.repeat(100_000) }] };
    });
    server.registerTool('broken', { description: 'Always fails.', inputSchema: {}, annotations: { readOnlyHint: true } }, () => {
      throw new Error('the backend is on fire');
    });
    return server;
  };
  const httpServer = http.createServer((request, response) => {
    state.requests += 1;
    void (async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of request) chunks.push(chunk as Buffer);
      const text = Buffer.concat(chunks).toString('utf8');
      const server = build();
      const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
      response.on('close', () => {
        void transport.close();
        void server.close();
      });
      await server.connect(transport);
      await transport.handleRequest(request, response, text ? (JSON.parse(text) as unknown) : undefined);
    })().catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(500);
      response.end(String(error));
    });
  });
  await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  const { port } = httpServer.address() as AddressInfo;
  state.url = `http://127.0.0.1:${port}/mcp`;
  state.close = () =>
    new Promise<void>((resolve) => {
      httpServer.closeAllConnections();
      httpServer.close(() => resolve());
    });
  return state;
}

/** A server that answers every request with a redirect to `location`. */
export async function startRedirectServer(location: string): Promise<{ url: string; hits: number; close(): Promise<void> }> {
  const state = { url: '', hits: 0, close: async () => undefined as void };
  const server = http.createServer((_request, response) => {
    state.hits += 1;
    response.writeHead(307, { location });
    response.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`;
  state.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return state;
}

/**
 * A server that speaks only the legacy HTTP+SSE transport (GET /sse, POST /messages), with one
 * read-only tool `echo`: what the client falls back to when streamable HTTP is refused.
 */
export async function startLegacySseMcpServer(): Promise<{ url: string; close(): Promise<void> }> {
  const { SSEServerTransport } = await import('@modelcontextprotocol/sdk/server/sse.js');
  const transports = new Map<string, InstanceType<typeof SSEServerTransport>>();
  const httpServer = http.createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    void (async () => {
      if (request.method === 'GET' && url.pathname === '/sse') {
        const server = new McpServer({ name: 'legacy-mcp', version: '1.0.0' });
        server.registerTool('echo', { description: 'Echoes.', inputSchema: { text: z.string() }, annotations: { readOnlyHint: true } }, ({ text }) => ({
          content: [{ type: 'text', text: `echo: ${text}` }],
        }));
        const transport = new SSEServerTransport('/messages', response);
        transports.set(transport.sessionId, transport);
        response.on('close', () => transports.delete(transport.sessionId));
        await server.connect(transport);
        return;
      }
      if (request.method === 'POST' && url.pathname === '/messages') {
        const transport = transports.get(url.searchParams.get('sessionId') ?? '');
        if (!transport) return void response.writeHead(404).end();
        await transport.handlePostMessage(request, response);
        return;
      }
      // No streamable HTTP here: what an old server answers to its POST.
      response.writeHead(405, { allow: 'GET' }).end();
    })().catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(500);
      response.end(String(error));
    });
  });
  await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}/sse`,
    close: () =>
      new Promise<void>((resolve) => {
        httpServer.closeAllConnections();
        httpServer.close(() => resolve());
      }),
  };
}
