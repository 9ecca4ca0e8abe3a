import 'server-only';
import { createHash } from 'node:crypto';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import type { ChatTool, ToolCaller, ToolContext } from '../turn/tools';
import { headersFromConfig, mcpServersSchema, toolAllowed, type McpCredentials, type McpServerConfig } from './mcp-config';
import type { McpConnection } from './mcp-connection';
import { chatToolName, toChatTool } from './mcp-tools';
import { ToolPins } from './tool-pins';
import { toolResultForModel } from './tool-result';

const DEFAULTS = { connectTimeoutMs: 10_000, callTimeoutMs: 30_000, maxResultChars: 20_000 };
/** A server that could not be reached is tried again after this long (by the next turn that wants tools). */
const RETRY_DOWN_MS = 30_000;

type Entry =
  | { state: 'connecting'; ready: Promise<void>; retry?: true }
  | { state: 'up'; connection: McpConnection; tools: ChatTool[] }
  | { state: 'down'; retryAt: number };

export interface McpHubOptions {
  credentials?: McpCredentials;
  /** Where connection trouble is reported. Default console.error / console.warn. */
  log?: { error(message: string, error?: unknown): void; warn(message: string): void };
  now?: () => number;
}

/**
 * The configured MCP servers and their tools, for every turn: connected at start (a server down
 * then is logged and the chat carries on without its tools, tried again later), one connection
 * per server and set of credentials, each tool's definition checked against its pin.
 */
export class McpHub {
  private readonly servers: McpServerConfig[];
  private readonly entries = new Map<string, Entry>();
  private readonly pins = new ToolPins();
  private readonly credentials: McpCredentials;
  private readonly log: NonNullable<McpHubOptions['log']>;
  private readonly now: () => number;
  private readonly perUser: boolean;

  constructor(servers: readonly McpServerConfig[], options: McpHubOptions = {}) {
    this.servers = mcpServersSchema.parse(servers);
    this.perUser = options.credentials !== undefined;
    this.credentials = options.credentials ?? ((server) => headersFromConfig(server));
    this.log = options.log ?? { error: (message, error) => console.error(message, error ?? ''), warn: (message) => console.warn(message) };
    this.now = options.now ?? Date.now;
  }

  /** Connects the servers whose credentials do not depend on the user (the default): at start, not on the first turn. */
  start(): Promise<void> {
    if (this.perUser) return Promise.resolve();
    return Promise.all(this.servers.map((server) => this.toolsOf(server, { userId: '' }))).then(() => undefined);
  }

  /** The configured servers' names, in their order. */
  get serverNames(): string[] {
    return this.servers.map((server) => server.name);
  }

  /**
   * The tools this caller may use now: those of every server that is up, minus disabled ones and
   * those of the servers in `off` (turned off for the conversation), which are not even asked.
   */
  async toolsFor(caller: ToolCaller, off: readonly string[] = []): Promise<ChatTool[]> {
    const lists = await Promise.all(this.servers.filter((server) => !off.includes(server.name)).map((server) => this.toolsOf(server, caller)));
    return lists.flatMap((list) => list.tools);
  }

  /** Each server with whether it answers now and the tools it offers this caller (none when it does not). */
  async catalog(caller: ToolCaller): Promise<{ name: string; reachable: boolean; tools: ChatTool[] }[]> {
    return Promise.all(this.servers.map(async (server) => ({ name: server.name, ...(await this.toolsOf(server, caller)) })));
  }

  /** Drops every connection: the next turn connects again (and re-checks every tool's definition). */
  async refresh(): Promise<void> {
    const open = [...this.entries.values()];
    this.entries.clear();
    await Promise.all(open.map((entry) => (entry.state === 'up' ? entry.connection.close() : undefined)));
  }

  /** The operator accepts a tool's changed definition (the hash the log printed); it is offered from the next connection. */
  acceptToolDefinition(server: string, tool: string, hash: string): void {
    this.pins.accept(server, tool, hash);
  }

  close(): Promise<void> {
    return this.refresh();
  }

  /** A server's tools for this caller; never throws: a server that cannot be reached has none. */
  private async toolsOf(server: McpServerConfig, caller: { userId: string }): Promise<{ reachable: boolean; tools: ChatTool[] }> {
    try {
      const tools = await this.connectedTools(server, caller);
      return tools ? { reachable: true, tools } : { reachable: false, tools: [] };
    } catch {
      return { reachable: false, tools: [] };
    }
  }

  /** Null when the server is not connected (down, being retried, or no credentials). */
  private async connectedTools(server: McpServerConfig, caller: { userId: string }): Promise<ChatTool[] | null> {
    let headers: Record<string, string>;
    try {
      headers = await this.credentials(server, caller);
    } catch (error) {
      this.log.error(`ai-chat: no credentials for MCP server "${server.name}"; its tools are off`, error);
      return null;
    }
    const key = `${server.name}\0${createHash('sha256').update(JSON.stringify(Object.entries(headers).sort())).digest('hex')}`;
    let entry = this.entries.get(key);
    if (entry?.state === 'down') {
      // A server that was down is tried again in the background: no turn waits on it.
      if (this.now() >= entry.retryAt) this.entries.set(key, { state: 'connecting', ready: this.connect(server, headers, key), retry: true });
      return null;
    }
    if (!entry) {
      entry = { state: 'connecting', ready: this.connect(server, headers, key) };
      this.entries.set(key, entry);
    }
    if (entry.state === 'connecting') {
      if (entry.retry) return null;
      await entry.ready;
      entry = this.entries.get(key);
    }
    return entry?.state === 'up' ? entry.tools : null;
  }

  private async connect(server: McpServerConfig, headers: Record<string, string>, key: string): Promise<void> {
    try {
      // The MCP client loads only when a server is configured and first connected.
      const { McpConnection } = await import('./mcp-connection');
      const connection = await McpConnection.open({
        name: server.name,
        url: server.url,
        headers,
        allowPrivateNetwork: server.allowPrivateNetwork ?? false,
        connectTimeoutMs: server.connectTimeoutMs ?? DEFAULTS.connectTimeoutMs,
        callTimeoutMs: server.callTimeoutMs ?? DEFAULTS.callTimeoutMs,
      });
      const tools: ChatTool[] = [];
      const names = new Set<string>();
      for (const tool of connection.tools) {
        if (!toolAllowed(server, tool.name)) continue;
        const pin = this.pins.check(server.name, server.pins, tool);
        if (!pin.ok) {
          this.log.error(
            `ai-chat: MCP server "${server.name}" changed the definition of tool "${tool.name}" (sha256 ${pin.hash}, accepted ${pin.expected}); ` +
              `it is disabled until you accept it: put "${tool.name}": "${pin.hash}" in the server's "pins"`,
          );
          continue;
        }
        const name = chatToolName(server.name, tool.name);
        if (names.has(name)) continue;
        names.add(name);
        tools.push(toChatTool(server, tool, (args, context) => this.call(server, key, connection, tool.name, args, context)));
      }
      this.entries.set(key, { state: 'up', connection, tools });
    } catch (error) {
      this.log.error(`ai-chat: MCP server "${server.name}" is not reachable; the chat goes on without its tools`, error);
      this.entries.set(key, { state: 'down', retryAt: this.now() + RETRY_DOWN_MS });
    }
  }

  /** One call; what the model reads, an error included. A broken session is reconnected by the next turn. */
  private async call(server: McpServerConfig, key: string, connection: McpConnection, tool: string, args: Record<string, unknown>, context: ToolContext): Promise<unknown> {
    const maxChars = server.maxResultChars ?? DEFAULTS.maxResultChars;
    try {
      return toolResultForModel(await connection.callTool(tool, args, context.signal), maxChars);
    } catch (error) {
      if (error instanceof McpError && error.code === ErrorCode.RequestTimeout) {
        return { error: `The tool ${server.name}__${tool} did not answer within ${server.callTimeoutMs ?? DEFAULTS.callTimeoutMs} ms.` };
      }
      if (context.signal.aborted) return { error: `The tool ${server.name}__${tool} was stopped.` };
      this.log.error(`ai-chat: MCP tool ${server.name}__${tool} failed`, error);
      if (!(error instanceof McpError)) {
        // Not a protocol answer: the session may be gone (a restarted server). Reconnect next time.
        const entry = this.entries.get(key);
        if (entry?.state === 'up' && entry.connection === connection) {
          this.entries.delete(key);
          void connection.close();
        }
      }
      return { error: `The tool ${server.name}__${tool} failed: ${describe(error)}` };
    }
  }
}

/** A short reason for the model: the server's own error message, capped; never a stack. */
function describe(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.slice(0, 500);
}
