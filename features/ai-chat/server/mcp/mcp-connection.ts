import 'server-only';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { CallToolResult, Tool } from '@modelcontextprotocol/sdk/types.js';
import { createGuardedFetch, McpNetworkError } from './guarded-fetch';

export interface ConnectionSettings {
  name: string;
  url: string;
  headers: Record<string, string>;
  allowPrivateNetwork: boolean;
  connectTimeoutMs: number;
  callTimeoutMs: number;
}

/** At most this many pages of tools are read from one server. */
const MAX_TOOL_PAGES = 20;

/**
 * One open session with an MCP server through the official client: streamable HTTP, or the
 * legacy SSE transport when the server only offers that; every request through the guarded fetch.
 */
export class McpConnection {
  private constructor(
    private readonly client: Client,
    readonly transport: 'streamable-http' | 'sse',
    readonly tools: readonly Tool[],
    private readonly settings: ConnectionSettings,
  ) {}

  /** Connects and lists the tools, within the server's connect timeout; throws what failed. */
  static async open(settings: ConnectionSettings): Promise<McpConnection> {
    const fetch = createGuardedFetch({ server: settings.name, allowPrivateNetwork: settings.allowPrivateNetwork });
    const options = { fetch, requestInit: { headers: settings.headers }, redirectPolicy: 'follow' as const };
    const url = new URL(settings.url);
    try {
      return await withDeadline(settings, (signal) => McpConnection.tryTransport(settings, new StreamableHTTPClientTransport(url, options), 'streamable-http', signal));
    } catch (error) {
      // A network rule or a timeout fails both transports alike; anything else may be a server that only speaks SSE.
      if (error instanceof McpNetworkError || error instanceof DeadlineError) throw error;
      try {
        return await withDeadline(settings, (signal) => McpConnection.tryTransport(settings, new SSEClientTransport(url, options), 'sse', signal));
      } catch {
        throw error;
      }
    }
  }

  private static async tryTransport(settings: ConnectionSettings, transport: Transport, kind: 'streamable-http' | 'sse', signal: AbortSignal): Promise<McpConnection> {
    const client = new Client({ name: 'ai-chat', version: '1.0.0' });
    signal.addEventListener('abort', () => void client.close().catch(() => undefined), { once: true });
    try {
      await client.connect(transport, { timeout: settings.connectTimeoutMs, signal });
      const tools: Tool[] = [];
      let cursor: string | undefined;
      for (let page = 0; page < MAX_TOOL_PAGES; page += 1) {
        const listed = await client.listTools(cursor ? { cursor } : undefined, { timeout: settings.connectTimeoutMs, signal });
        tools.push(...listed.tools);
        cursor = listed.nextCursor;
        if (!cursor) break;
      }
      return new McpConnection(client, kind, tools, settings);
    } catch (error) {
      await client.close().catch(() => undefined);
      throw error;
    }
  }

  /** One tool call within the call timeout (and the turn's signal); throws what failed. */
  callTool(name: string, args: Record<string, unknown>, signal: AbortSignal): Promise<CallToolResult> {
    const timeout = this.settings.callTimeoutMs;
    return this.client.callTool({ name, arguments: args }, undefined, { timeout, maxTotalTimeout: timeout, signal }) as Promise<CallToolResult>;
  }

  close(): Promise<void> {
    return this.client.close().catch(() => undefined);
  }
}

class DeadlineError extends Error {
  override name = 'DeadlineError';
}

/** Runs `work` with an abort signal that fires after the server's connect timeout. */
async function withDeadline<T>(settings: ConnectionSettings, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new DeadlineError(`MCP server "${settings.name}" did not connect within ${settings.connectTimeoutMs} ms.`));
    }, settings.connectTimeoutMs);
  });
  try {
    return await Promise.race([work(controller.signal), deadline]);
  } finally {
    clearTimeout(timer);
  }
}
