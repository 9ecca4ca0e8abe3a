import 'server-only';
import { chatRequestSchema } from '../../protocol/chat-request';
import type { UserChatStore } from '../../store/chat-store';
import type { ResolvedHandlerOptions } from '../http/handler-options';
import { parseWith } from '../http/http';
import type { ReplyRegistry } from '../replies/reply-registry';
import { planTurnFor } from '../turn/plan-turn';
import { startTurn } from '../turn/run-turn';
import { turnOfUiRequest, uiChatRequestSchema } from './ui-request';
import { UI_STREAM_HEADERS, uiFraming } from './ui-stream';

/**
 * POST /api/chat from an AI SDK client (`DefaultChatTransport`): the same turn as our own
 * protocol's (the same plan, limits, refusals before any write, durable reply), answered in the
 * UI message stream. A refusal before the stream is the same 4xx JSON as ours.
 */
export async function answerUiChat(
  raw: unknown,
  signal: AbortSignal,
  user: UserChatStore,
  options: ResolvedHandlerOptions,
  replies: ReplyRegistry,
): Promise<Response> {
  const request = parseWith(uiChatRequestSchema, raw);
  const turn = await turnOfUiRequest(request, user);
  const body = parseWith(chatRequestSchema, turn.body);
  const plan = await planTurnFor(body, signal, user, options, { newConversationId: turn.conversationId });
  return new Response(startTurn(plan, options, replies, uiFraming()), { headers: UI_STREAM_HEADERS });
}
