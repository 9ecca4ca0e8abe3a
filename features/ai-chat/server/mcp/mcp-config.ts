import 'server-only';
import type { McpServerConfig } from '../../config/mcp-servers';

export { mcpServerConfigSchema, mcpServersSchema, type McpServerConfig } from '../../config/mcp-servers';

/** A server's credentials for one user: the headers its requests carry. The one seam for per-user auth (OAuth). */
export type McpCredentials = (server: McpServerConfig, caller: { userId: string }) => Record<string, string> | Promise<Record<string, string>>;

/** The defaults: the server's own headers, `$NAME` and `${NAME}` read from `env`. Throws naming a variable that is not set. */
export function headersFromConfig(server: McpServerConfig, env: Record<string, string | undefined> = process.env): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [key, raw] of Object.entries(server.headers ?? {})) {
    const whole = /^\$([A-Za-z_][A-Za-z0-9_]*)$/.exec(raw);
    const value = whole
      ? variable(whole[1]!, env, server.name)
      : raw.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_match, name: string) => variable(name, env, server.name));
    headers[key] = value;
  }
  return headers;
}

function variable(name: string, env: Record<string, string | undefined>, server: string): string {
  const value = env[name];
  if (value === undefined || value === '') throw new Error(`the environment variable ${name} named by MCP server "${server}" is not set`);
  return value;
}

/** Whether the operator lets the model see this tool at all. */
export function toolAllowed(server: McpServerConfig, tool: string): boolean {
  if (server.tools?.deny?.includes(tool)) return false;
  return server.tools?.allow ? server.tools.allow.includes(tool) : true;
}
