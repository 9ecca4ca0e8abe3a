import { z } from 'zod';
import { CHAT_ERROR_CODES } from './errors';

/**
 * The public streaming protocol of POST /api/chat: `text/event-stream`, one `data: <json>` line
 * per event, each with a `type`. `start` comes first; `finish` (success) or `error` (failure,
 * the HTTP status being 200 by then) comes last. `: ping` comments keep proxies from closing
 * an idle connection and carry no event. A client ignores event types it does not know: new ones
 * are added (reasoning, refusals) and a client that only reads `text-delta` keeps working.
 */

export const finishReasonSchema = z.enum(['stop', 'length', 'tool-calls', 'content-filter', 'aborted', 'error', 'other']);
export type ChatFinishReason = z.infer<typeof finishReasonSchema>;

export const chatEventSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('start'),
    conversationId: z.uuid(),
    userMessageId: z.uuid(),
    assistantMessageId: z.uuid(),
    provider: z.string(),
    model: z.string(),
    /**
     * Continue: the reply this one carries on. Its words join that message (saved under its id,
     * which `finish` names); `assistantMessageId` is then only the run's id.
     */
    continues: z.uuid().optional(),
  }),
  /** The provider is busy and the server's SDK waits before trying again; before any text-delta. */
  z.object({
    type: z.literal('retrying'),
    attempt: z.number().int().positive(),
    retryAfterSeconds: z.number().nonnegative(),
    reason: z.enum(['rate_limited', 'overloaded', 'server_error', 'network']),
  }),
  z.object({ type: z.literal('text-delta'), delta: z.string() }),
  /** The model began thinking (before any reasoning text, which may come late or never). */
  z.object({ type: z.literal('reasoning-start') }),
  /** Reasoning text as shown (Claude's summarised thinking, OpenAI's reasoning summary). */
  z.object({ type: z.literal('reasoning-delta'), delta: z.string() }),
  /** The thinking ended after `durationMs` (measured by the server); the answer follows. */
  z.object({ type: z.literal('reasoning-end'), durationMs: z.number().int().nonnegative() }),
  /** The model declines: text of its refusal, shown as a refusal, never as the answer. */
  z.object({ type: z.literal('refusal-delta'), delta: z.string() }),
  /**
   * The text streamed so far was the model's refusal (a provider that streams a refusal as text
   * says so only at its end): show it as a refusal. Before `finish` (`content-filter`).
   */
  z.object({ type: z.literal('text-is-refusal') }),
  z.object({ type: z.literal('tool-call'), id: z.string(), name: z.string(), args: z.unknown() }),
  z.object({ type: z.literal('tool-result'), id: z.string(), result: z.unknown() }),
  /**
   * The tool call `toolCallId` waits for the person's approval: answer with
   * `POST replies/:replyId/approvals/:approvalId` `{ approved }`, from any tab, until `expiresAt`.
   */
  z.object({
    type: z.literal('tool-approval-request'),
    approvalId: z.uuid(),
    toolCallId: z.string(),
    name: z.string(),
    args: z.unknown(),
    expiresAt: z.string(),
  }),
  /** The approval was answered (`declined` when denied) or ran out (`timeout`) or its reply stopped (`stopped`). */
  z.object({
    type: z.literal('tool-approval-response'),
    approvalId: z.uuid(),
    toolCallId: z.string(),
    approved: z.boolean(),
    reason: z.enum(['declined', 'timeout', 'stopped']).optional(),
  }),
  z.object({
    type: z.literal('usage'),
    promptTokens: z.number().int().nonnegative(),
    completionTokens: z.number().int().nonnegative(),
    totalTokens: z.number().int().nonnegative(),
    /** Dollars as a decimal string; null when the model has no known price. */
    cost: z.string().nullable(),
    /** The part of promptTokens read from the provider's prompt cache. */
    cachedPromptTokens: z.number().int().nonnegative().optional(),
    /** The part of promptTokens written to the prompt cache (Anthropic; billed above input). */
    cacheWriteTokens: z.number().int().nonnegative().optional(),
    /** The part of completionTokens spent thinking (billed, not part of the answer). */
    reasoningTokens: z.number().int().nonnegative().optional(),
  }),
  z.object({ type: z.literal('finish'), messageId: z.uuid(), finishReason: finishReasonSchema }),
  z.object({
    type: z.literal('error'),
    code: z.enum(CHAT_ERROR_CODES),
    message: z.string(),
    /** A usage limit reached mid-turn (a tool step that did not fit): as in a 429 body. */
    limit: z.enum(['tokens_per_day', 'cost_per_month', 'requests_per_minute']).optional(),
    resetsAt: z.string().optional(),
    retryable: z.boolean().optional(),
    /** An `aborted` reply the server cut at its time limit, not a person's Stop (both read the same otherwise). */
    reason: z.enum(['time_limit']).optional(),
  }),
]);
export type ChatEvent = z.infer<typeof chatEventSchema>;

/** One SSE frame for an event. A BigInt (a tool's result, say) is sent as its decimal string. */
export function toSseFrame(event: ChatEvent): string {
  return `data: ${JSON.stringify(event, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value))}\n\n`;
}

export const SSE_PING_FRAME = ': ping\n\n';
