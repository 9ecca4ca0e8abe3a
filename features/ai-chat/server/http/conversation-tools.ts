import 'server-only';
import { ChatError } from '../../protocol/errors';
import type { ConversationTools, ListedTool } from '../../protocol/rest';
import type { UserChatStore } from '../../store/chat-store';
import type { ChatTool } from '../turn/tools';
import type { ResolvedHandlerOptions } from './handler-options';

/**
 * What the model may use in one of this user's conversations: the app's own tools (always on: the
 * operator put them in code, and the product may rely on them) and each MCP server's, with whether
 * it answers now and whether it is on here. Null when the conversation is not this user's.
 */
export async function conversationTools(user: UserChatStore, id: string, options: ResolvedHandlerOptions): Promise<ConversationTools | null> {
  const conversation = await user.getConversation(id);
  if (!conversation) return null;
  const off = conversation.disabledMcpServers ?? [];
  const servers = options.mcp ? await options.mcp.catalog({ userId: user.userId, conversationId: id }) : [];
  return {
    tools: options.tools.map(listed),
    servers: servers.map((server) => ({
      name: server.name,
      reachable: server.reachable,
      enabled: !off.includes(server.name),
      tools: server.tools.map(listed),
    })),
  };
}

/** The servers to turn off, each checked against the configured ones (another name is a 400), once each. */
export function checkedServersOff(names: readonly string[], options: ResolvedHandlerOptions): string[] {
  const known = options.mcp?.serverNames ?? [];
  const unknown = names.find((name) => !known.includes(name));
  if (unknown !== undefined) {
    throw new ChatError('bad_request', `disabledMcpServers: "${unknown.slice(0, 64)}" is not an MCP server of this chat.`, {
      field: 'disabledMcpServers',
    });
  }
  return [...new Set(names)];
}

/** Whether a turn may offer the model any tool: the Tools control shows only then. */
export function offersTools(options: ResolvedHandlerOptions): boolean {
  return options.tools.length > 0 || (options.mcp?.serverNames.length ?? 0) > 0;
}

function listed(tool: ChatTool): ListedTool {
  const policy = tool.approval ?? 'never';
  return { name: tool.name, description: tool.description, approval: typeof policy === 'function' ? 'sometimes' : policy };
}
