import 'server-only';
import { ChatError } from '../../protocol/errors';
import type { UserChatStore } from '../../store/chat-store';
import { splitAuthenticatedUser } from '../../store/local-user';
import { resolveHandlerOptions, type ChatHandlerOptions, type ResolvedHandlerOptions } from './handler-options';
import { errorResponse, parseWith, readJsonBody, SSE_HEADERS } from './http';
import { planTurnFor } from '../turn/plan-turn';
import { answerUiChat } from '../ai-sdk/ui-chat';
import { isUiChatRequest } from '../ai-sdk/ui-request';
import { chatRequestSchema, MAX_BODY_BYTES } from '../../protocol/chat-request';
import { z } from 'zod';
import { assertAllowedRequest, isAttachmentUpload } from './request-guard';
import { ReplyRegistry } from '../replies/reply-registry';
import { inProcessReplyRuns } from '../replies/in-process-reply-runs';
import { routeRest } from './rest-routes';
import { startTurn } from '../turn/run-turn';

export type { ChatHandlerOptions, UsageLimits, UsageReport, FinishReport, ModelPolicy, ProviderTarget } from './handler-options';
export { defineTool, type ChatTool } from '../turn/tools';
export { createOpenAIModeration, type Moderation } from '../turn/moderation';
export type { RequestGuardOptions } from './request-guard';

export interface ChatHandler {
  /** POST /api/chat: one turn, streamed as SSE (see protocol/chat-events; an AI SDK client's body: the UI message stream). */
  chat(request: Request): Promise<Response>;
  /** The REST routes under the base path (conversations, usage, config). */
  route(request: Request): Promise<Response>;
  readonly options: ResolvedHandlerOptions;
  /** This instance's reply runs (checkpoint counts, and a test seam to make the instance "die"). */
  readonly replies: ReplyRegistry;
}

/** Stop requests from other instances are read this often: honoured well within a second. */
const STOP_POLL_MS = 250;
/** The sweeper for replies of dead instances runs at most this often, while the handler is used. */
const SWEEP_INTERVAL_MS = 5_000;

/** A chat handler for these options: call it from route files, or in tests without a server. */
export function createChatHandler(options: ChatHandlerOptions): ChatHandler {
  const resolved = resolveHandlerOptions(options);
  // This handler's reply runs: one instance's, checkpointed to the store for the others (or,
  // with durableReplies: false, kept in this process only).
  const replies = new ReplyRegistry({
    store: resolved.durableReplies === false ? inProcessReplyRuns() : resolved.store.replies,
    checkpointIntervalMs: resolved.checkpointIntervalMs,
    stopPollMs: STOP_POLL_MS,
    staleReplySeconds: resolved.staleReplySeconds,
    sweepIntervalMs: SWEEP_INTERVAL_MS,
  });
  // MCP servers connect now: one that is down is logged and the chat starts without its tools.
  void resolved.mcp?.start();
  const authenticate = async (request: Request) => {
    const user = resolved.authenticate ? await userFromSignIn(resolved, request) : await resolved.store.forRequest(request);
    if (!user) throw new ChatError('unauthorized', 'Sign in to chat.');
    return user;
  };

  return {
    options: resolved,
    replies,
    async chat(request) {
      try {
        assertAllowedRequest(request, resolved.requestGuard);
        if (request.method.toUpperCase() !== 'POST') {
          throw new ChatError('bad_request', 'Send the message with POST.');
        }
        const user = await authenticate(request);
        replies.touch();
        const body = await readJsonBody(request, z.unknown(), MAX_BODY_BYTES);
        // The AI SDK's DefaultChatTransport, told apart by its body's shape, gets its own stream.
        if (isUiChatRequest(body)) return await answerUiChat(body, request.signal, user, resolved, replies);
        const plan = await planTurnFor(parseWith(chatRequestSchema, body), request.signal, user, resolved);
        return new Response(startTurn(plan, resolved, replies), { headers: SSE_HEADERS });
      } catch (error) {
        return errorResponse(error);
      }
    },
    async route(request) {
      try {
        assertAllowedRequest(request, resolved.requestGuard, { allowMultipart: isAttachmentUpload(request, resolved.basePath) });
        const user = await authenticate(request);
        replies.touch();
        return await routeRest(request, user, resolved, replies);
      } catch (error) {
        return errorResponse(error);
      }
    },
  };
}

/** The user the app's own sign-in names (the `authenticate` option), opened in the store. */
async function userFromSignIn(options: ResolvedHandlerOptions, request: Request): Promise<UserChatStore | null> {
  const { store } = options;
  if (!store.forUser) {
    throw new ChatError('not_configured', 'This store signs users in itself (Supabase: cookies); `authenticate` needs the Postgres or embedded store.');
  }
  const signedIn = await options.authenticate!(request);
  if (!signedIn) return null;
  const { id, profile } = splitAuthenticatedUser(signedIn);
  if (typeof id !== 'string' || id.length === 0) throw new ChatError('internal', '`authenticate` returned a user without an id.');
  return store.forUser(id, profile);
}
