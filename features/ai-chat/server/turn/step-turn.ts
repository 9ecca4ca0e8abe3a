import 'server-only';
import type { ChatEvent, ChatFinishReason } from '../../protocol/chat-events';
import { asChatError, ChatError } from '../../protocol/errors';
import type { MessagePart } from '../../protocol/parts';
import type { ProviderMessage, ProviderToolCall, ProviderUsage } from '../../providers/types';
import { NO_USAGE, tokensOf } from '../ledger/accounting';
import type { ProviderTarget, ResolvedHandlerOptions } from '../http/handler-options';
import type { TurnPlan } from './plan-turn';
import { callProvider } from './call-provider';
import { responseCacheKey, responseCacheTtl } from './response-cache';
import { callNeedsApproval, executeToolCall, toToolSpecs, type ChatTool } from './tools';
import { awaitApproval, deniedResult, type ApprovalOutcome } from '../approvals/await-approval';
import { ApprovalWakeups } from '../approvals/approval-wakeups';
import { withApproval } from '../../protocol/reduce-parts';

/** What a turn produced, across all its provider calls (tool steps, a failover). */
export interface TurnResult {
  /** The reply came from the response cache: no provider call, nothing billed. */
  cached?: boolean;
  target: ProviderTarget;
  text: string;
  /** The reply as it will be saved, every step's parts in order, tool results after their calls. */
  parts: MessagePart[];
  toolCalls: ProviderToolCall[];
  toolResults: { id: string; result: unknown }[];
  usage: ProviderUsage;
  finishReason: ChatFinishReason;
  error?: ChatError;
}

/** What a turn's approval waits need from the reply around it. */
export interface TurnApprovals {
  /** Woken by an answer given on this instance. */
  wakeups: ApprovalWakeups;
  /** Resolves once the question (and its conversation) is saved: an approval row refers to it. */
  questionSaved: () => Promise<void>;
}

/**
 * Calls the provider, runs tools and calls again, until the model answers or the steps run out.
 * Each call after the first is first cleared with the ledger: a step that would pass a limit is
 * not made, and the turn ends with a usage_limit error keeping what it has.
 */
export async function stepTurn(
  plan: TurnPlan,
  options: ResolvedHandlerOptions,
  signal: AbortSignal,
  emit: (event: ChatEvent) => void,
  approvals: TurnApprovals = { wakeups: new ApprovalWakeups(), questionSaved: async () => undefined },
): Promise<TurnResult> {
  const messages: ProviderMessage[] = [...plan.fitted.messages];
  const caller = { userId: plan.user.userId, conversationId: plan.conversationId };
  // The app's tools and, when MCP servers are configured, theirs (a server that is down has none),
  // but for the servers the person turned off for this conversation (as stored, never as asked).
  const off = plan.existing?.disabledMcpServers ?? [];
  const toolList: readonly ChatTool[] = options.mcp ? [...options.tools, ...(await options.mcp.toolsFor(caller, off))] : options.tools;
  const tools = toolList.length > 0 ? toToolSpecs(toolList) : undefined;
  const result: TurnResult = {
    target: plan.targets[0]!,
    text: '',
    parts: [],
    toolCalls: [],
    toolResults: [],
    usage: NO_USAGE,
    finishReason: 'other',
  };
  let promptEstimate = plan.fitted.promptTokens;

  // A turn with files is not cached: its key would hash every file's bytes on every turn.
  const withFiles = messages.some((message) => message.role === 'user' && (message.files?.length ?? 0) > 0);
  const cacheKey = withFiles ? null : responseCacheKey(plan, options, result.target);
  if (cacheKey) {
    const hit = await plan.user.getCachedReply(cacheKey).catch(() => null);
    if (hit) {
      emit({ type: 'text-delta', delta: hit.content });
      return { ...result, cached: true, text: hit.content, parts: [{ type: 'text', text: hit.content }], finishReason: 'stop' };
    }
  }

  for (let step = 0; step < options.maxToolSteps; step += 1) {
    const lastStep = step === options.maxToolSteps - 1;
    if (step > 0) {
      try {
        await plan.ledger.beforeCall({ target: result.target, promptTokens: promptEstimate, replyTokens: plan.replyTokens });
      } catch (error) {
        return { ...result, error: asChatError(error), finishReason: 'error' };
      }
    }
    const candidates = step === 0 ? plan.targets : [result.target];
    const outcome = await callProvider(candidates, {
      plan,
      options,
      signal,
      emit,
      messages,
      tools,
      toolChoice: tools && lastStep ? 'none' : undefined,
      promptEstimate,
      shownBefore: result.parts.length > 0,
    });
    result.target = outcome.target;
    result.text += outcome.text;
    result.parts.push(...outcome.parts);
    result.usage = plan.ledger.totals().usage;
    result.finishReason = outcome.finishReason;
    result.toolCalls.push(...outcome.toolCalls);
    if (outcome.error) return { ...result, error: outcome.error, finishReason: outcome.error.code === 'aborted' ? 'aborted' : 'error' };
    // A step cut at its hold ends the turn: its tool calls may be cut too, and nothing is left to spend.
    if (outcome.toolCalls.length === 0 || !tools || outcome.finishReason === 'length') {
      if (cacheKey && result.finishReason === 'stop' && result.text) {
        await plan.user
          .putCachedReply(cacheKey, { ...result.target, content: result.text }, responseCacheTtl(options))
          .catch((error) => console.error('ai-chat: could not cache the reply', error));
      }
      return result;
    }

    // The step's reasoning goes back with its tool calls: Claude requires its signed thinking there,
    // and OpenAI's encrypted reasoning keeps the model's train of thought across the loop.
    messages.push({
      role: 'assistant',
      content: outcome.text,
      toolCalls: outcome.toolCalls,
      ...(outcome.reasoning.length > 0 ? { reasoning: outcome.reasoning } : {}),
    });
    for (const call of outcome.toolCalls) {
      const approval: ApprovalOutcome = (await callNeedsApproval(toolList, call, caller))
        ? await awaitApproval(call, {
            store: options.store.replies,
            ...caller,
            replyId: plan.assistantMessageId,
            options: options.toolApprovals,
            wakeups: approvals.wakeups,
            ready: approvals.questionSaved,
            signal,
            emit,
          })
        : { approved: true };
      // The saved reply keeps the answer on its call, as the stream's reducer does.
      if (approval.approval) result.parts = withApproval(result.parts, call.id, approval.approval);
      const toolResult = approval.approved
        ? await executeToolCall(toolList, call, { ...caller, signal })
        : deniedResult(call.name, approval);
      result.toolResults.push({ id: call.id, result: toolResult });
      result.parts.push({ type: 'tool-result', id: call.id, result: toolResult });
      emit({ type: 'tool-result', id: call.id, result: toolResult });
      const content = JSON.stringify(toolResult);
      messages.push({ role: 'tool', toolCallId: call.id, name: call.name, content });
      promptEstimate += outcome.usage.completionTokens + tokensOf(content, result.target.provider, result.target.model);
    }
    if (signal.aborted) return { ...result, error: new ChatError('aborted', 'The reply was stopped.'), finishReason: 'aborted' };
  }
  return result;
}
