import 'server-only';
import { z } from 'zod';
import type { ProviderToolSpec } from '../../providers/types';

export interface ToolContext {
  userId: string;
  conversationId: string;
  /** Aborted when the client goes away: long tools should stop too. */
  signal: AbortSignal;
}

/** Who a tool call is for, as an approval rule sees it. */
export interface ToolCaller {
  userId: string;
  conversationId: string;
}

/** Whether a call needs the person's approval before it runs: a rule of its (checked) arguments and the caller. */
export type ToolApprovalRule<Args> = { bivariant(args: Args, caller: ToolCaller): boolean | Promise<boolean> }['bivariant'];

/**
 * When a call waits for the person's approval: `never` (the default: read-only tools), `always`,
 * or a rule of the arguments and the caller.
 */
export type ToolApprovalPolicy<Args = unknown> = 'never' | 'always' | ToolApprovalRule<Args>;

/**
 * A tool the model may call, declared once: its zod schema is both what the providers are told
 * (as JSON Schema) and what the model's arguments are checked against before `execute` runs.
 */
export interface ChatTool<Schema extends z.ZodType = z.ZodType> {
  name: string;
  description: string;
  parameters: Schema;
  execute(args: z.infer<Schema>, context: ToolContext): unknown;
  /** Whether a call waits for the person's approval first. Default `never`. */
  approval?: ToolApprovalPolicy<z.infer<Schema>>;
  /** The JSON Schema the providers are told, when it is given as such (an MCP tool's), not derived from `parameters`. */
  inputJsonSchema?: Record<string, unknown>;
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
    parameters: tool.inputJsonSchema ?? (z.toJSONSchema(tool.parameters, { target: 'draft-7' }) as Record<string, unknown>),
  }));
}

/**
 * Whether this call must wait for the person's approval: its tool's policy, asked with the
 * checked arguments. A call to an unknown tool or with bad arguments runs nothing, so needs none;
 * a rule that throws counts as "ask" (the safe side).
 */
export async function callNeedsApproval(tools: readonly ChatTool[], call: { name: string; args: unknown }, caller: ToolCaller): Promise<boolean> {
  const tool = tools.find((candidate) => candidate.name === call.name);
  const policy = tool?.approval ?? 'never';
  if (!tool || policy === 'never') return false;
  const args = tool.parameters.safeParse(call.args);
  if (!args.success) return false;
  if (policy === 'always') return true;
  try {
    return (await policy(args.data, caller)) !== false;
  } catch (error) {
    console.error(`ai-chat: the approval rule of tool ${call.name} failed; asking`, error);
    return true;
  }
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
  let result: unknown;
  try {
    result = (await tool.execute(args.data, context)) ?? null;
  } catch (error) {
    console.error(`ai-chat: tool ${call.name} failed`, error);
    return { error: `The tool ${call.name} failed.` };
  }
  return toJsonValue(call.name, result);
}

/**
 * The result as plain JSON, which is what the model, the stream and the database all take: a
 * BigInt becomes its decimal string; a cycle or anything else JSON cannot hold becomes an error
 * the model can read, instead of a turn that throws half way.
 */
function toJsonValue(toolName: string, result: unknown): unknown {
  try {
    const text = JSON.stringify(result, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value));
    return text === undefined ? null : (JSON.parse(text) as unknown);
  } catch (error) {
    console.error(`ai-chat: tool ${toolName} returned a value that is not JSON`, error);
    return { error: `The tool ${toolName} returned a value that cannot be sent to the model.` };
  }
}
