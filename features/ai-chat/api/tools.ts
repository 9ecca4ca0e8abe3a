import 'server-only';
import { z } from 'zod';
import type { ProviderToolSpec } from '../providers/types';

export interface ToolContext {
  userId: string;
  conversationId: string;
  /** Aborted when the client goes away: long tools should stop too. */
  signal: AbortSignal;
}

/**
 * A tool the model may call, declared once: its zod schema is both what the providers are told
 * (as JSON Schema) and what the model's arguments are checked against before `execute` runs.
 */
export interface ChatTool<Schema extends z.ZodType = z.ZodType> {
  name: string;
  description: string;
  parameters: Schema;
  execute(args: z.infer<Schema>, context: ToolContext): unknown;
}

/** Declares a tool with its argument types inferred from the schema. */
export function defineTool<Schema extends z.ZodType>(tool: ChatTool<Schema>): ChatTool<Schema> {
  return tool;
}

/** What the providers are told about the tools. */
export function toToolSpecs(tools: readonly ChatTool[]): ProviderToolSpec[] {
  return tools.map((tool) => ({
    name: tool.name,
    description: tool.description,
    parameters: z.toJSONSchema(tool.parameters, { target: 'draft-7' }) as Record<string, unknown>,
  }));
}

/**
 * Runs one tool call. The result always goes back to the model, errors included, so the model
 * can recover ("that city was not found") instead of the whole turn failing.
 */
export async function executeToolCall(
  tools: readonly ChatTool[],
  call: { name: string; args: unknown },
  context: ToolContext,
): Promise<unknown> {
  const tool = tools.find((candidate) => candidate.name === call.name);
  if (!tool) return { error: `Unknown tool "${call.name}".` };
  const args = tool.parameters.safeParse(call.args);
  if (!args.success) return { error: `Invalid arguments for ${call.name}: ${z.prettifyError(args.error)}` };
  try {
    return (await tool.execute(args.data, context)) ?? null;
  } catch (error) {
    console.error(`ai-chat: tool ${call.name} failed`, error);
    return { error: `The tool ${call.name} failed.` };
  }
}
