import 'server-only';
import { z } from 'zod';
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import type { ChatTool, ToolContext } from '../turn/tools';
import type { McpServerConfig } from './mcp-config';

/** What the model may send an MCP tool: an object; the server checks it against its own schema. */
const mcpArguments = z.record(z.string(), z.unknown());

/** The name the model sees: `<server>__<tool>`, in the characters and length every provider takes. */
export function chatToolName(server: string, tool: string): string {
  return `${server}__${tool.replace(/[^A-Za-z0-9_-]/g, '_')}`.slice(0, 64);
}

/**
 * An MCP tool as one of the chat's tools. A tool its annotations do not mark read-only waits for
 * the person's approval (unless the server's `approval` says otherwise). `call` never throws: an
 * error comes back as a tool error the model can read.
 */
export function toChatTool(
  server: McpServerConfig,
  tool: Tool,
  call: (args: Record<string, unknown>, context: ToolContext) => Promise<unknown>,
): ChatTool<typeof mcpArguments> {
  const policy = server.approval ?? 'annotations';
  const readOnly = tool.annotations?.readOnlyHint === true;
  return {
    name: chatToolName(server.name, tool.name),
    description: (tool.description ?? tool.title ?? tool.name).slice(0, 4096),
    parameters: mcpArguments,
    inputJsonSchema: tool.inputSchema as Record<string, unknown>,
    approval: policy === 'never' ? 'never' : policy === 'always' || !readOnly ? 'always' : 'never',
    execute: (args, context) => call(args, context),
  };
}
