import 'server-only';
import { z } from 'zod';

/**
 * One MCP server the operator lists (`mcpServers` in createChatHandler, or the JSON array in
 * AI_CHAT_MCP_SERVERS). Its tools join the app's as `<name>__<tool>`.
 */
export const mcpServerConfigSchema = z.strictObject({
  /** Letters, digits, `-` and `_` (no `__`): the prefix of its tools' names. */
  name: z
    .string()
    .regex(/^[A-Za-z0-9-]+(?:_[A-Za-z0-9-]+)*$/, 'letters, digits, - and single _ only')
    .max(32),
  /** Streamable HTTP endpoint (the legacy SSE endpoint is tried when the server only offers that). */
  url: z.url({ protocol: /^https?$/ }),
  /**
   * Headers sent with every request. A value `$NAME` (or containing `${NAME}`) is read from the
   * environment when connecting, so a token never sits in the config itself.
   */
  headers: z.record(z.string(), z.string()).optional(),
  /** Allow private, loopback and link-local addresses (a server on your own network). Default false. */
  allowPrivateNetwork: z.boolean().optional(),
  tools: z
    .strictObject({
      /** Only these tools (their MCP names). */
      allow: z.array(z.string()).optional(),
      /** Never these. */
      deny: z.array(z.string()).optional(),
    })
    .optional(),
  /**
   * Accepted tool definitions, by MCP tool name: the sha256 the log prints. A tool whose
   * definition differs from its pin (or from what this process first saw) is disabled.
   */
  pins: z.record(z.string(), z.string().regex(/^[0-9a-f]{64}$/)).optional(),
  /** Connecting and listing, in ms. Default 10 000. */
  connectTimeoutMs: z.number().int().positive().optional(),
  /** One tool call, in ms. Default 30 000. */
  callTimeoutMs: z.number().int().positive().optional(),
  /** A result's text is cut to this many characters before the model sees it. Default 20 000. */
  maxResultChars: z.number().int().positive().optional(),
  /** Approval default for its tools: `annotations` (read-only ones run, others ask), `always`, `never`. */
  approval: z.enum(['annotations', 'always', 'never']).optional(),
});
export type McpServerConfig = z.input<typeof mcpServerConfigSchema>;

export const mcpServersSchema = z.array(mcpServerConfigSchema).superRefine((servers, ctx) => {
  const seen = new Set<string>();
  for (const [index, server] of servers.entries()) {
    if (seen.has(server.name)) ctx.addIssue({ code: 'custom', path: [index, 'name'], message: `duplicate MCP server name "${server.name}"` });
    seen.add(server.name);
  }
});
