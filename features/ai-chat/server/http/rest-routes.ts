import 'server-only';
import { PROVIDER_NAMES } from '../../providers/registry';
import { conversationPatchSchema, MAX_BODY_BYTES, MAX_MESSAGE_CHARS } from '../../protocol/chat-request';
import { ChatError } from '../../protocol/errors';
import { conversationListQuerySchema, createConversationBodySchema, type ChatConfig, type UsageResponse } from '../../protocol/rest';
import type { UserChatStore } from '../../store/chat-store';
import { describeUsage } from '../ledger/describe-usage';
import { routeAttachments } from '../files/attachment-routes';
import { conversationDetail } from './conversation-detail';
import { exportConversation, importConversation } from '../transfer/export-import';
import { limitsFor, modelPolicy, PROVIDER_KEY_VARIABLES, type ResolvedHandlerOptions } from './handler-options';
import { json, parseWith, readJsonBody } from './http';
import type { ReplyRegistry } from '../replies/reply-registry';
import { routeReplies } from '../replies/reply-routes';
import { modelReads } from '../files/turn-files';
import { routeSearchShareFeedback } from './search-share-feedback-routes';
import { modelLabel } from '../../providers/model-labels';
import { routeUiChat } from '../ai-sdk/ui-routes';
import { checkedServersOff, conversationTools, offersTools } from './conversation-tools';

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

/**
 * The REST routes under the base path, for the hooks and for custom clients. Every route runs
 * as the session's user; another user's conversation answers 404, as a missing one does.
 */
export async function routeRest(
  request: Request,
  user: UserChatStore,
  options: ResolvedHandlerOptions,
  replies: ReplyRegistry,
): Promise<Response> {
  const path = new URL(request.url).pathname;
  const rest = path.startsWith(options.basePath) ? path.slice(options.basePath.length) : path;
  const segments = rest.split('/').filter(Boolean);
  const method = request.method.toUpperCase() as Method;

  const searchShareFeedback = await routeSearchShareFeedback(request, user, options, segments);
  if (searchShareFeedback) return searchShareFeedback;
  if (segments[0] === 'conversations' && segments.length === 1) {
    if (method === 'GET') return listConversations(request, user);
    if (method === 'POST') return createConversation(request, user, options);
    return notAllowed('GET, POST');
  }
  if (segments[0] === 'conversations' && segments.length === 2 && segments[1] === 'import') {
    return method === 'POST' ? importConversation(request, user, options) : notAllowed('POST');
  }
  if (segments[0] === 'conversations' && segments.length === 3 && segments[2] === 'export') {
    return method === 'GET' ? exportConversation(request, user, segments[1]!) : notAllowed('GET');
  }
  if (segments[0] === 'conversations' && segments.length === 3 && segments[2] === 'tools') {
    if (method !== 'GET') return notAllowed('GET');
    const tools = await conversationTools(user, segments[1]!, options);
    if (!tools) throw notFound();
    return json(tools);
  }
  if (segments[0] === 'conversations' && segments.length === 2) {
    const id = segments[1]!;
    if (method === 'GET') return json(await conversationDetail(user, id, replies.store));
    if (method === 'PATCH') return patchConversation(request, user, id, options, replies);
    if (method === 'DELETE') {
      if (!(await user.deleteConversation(id))) throw notFound();
      return new Response(null, { status: 204 });
    }
    return notAllowed('GET, PATCH, DELETE');
  }
  if (segments[0] === 'replies') return routeReplies(request, user, options, replies, segments.slice(1));
  if (segments[0] === 'attachments') return routeAttachments(request, user, options, segments.slice(1));
  if (segments[0] === 'usage' && segments.length === 1) {
    return method === 'GET' ? json(await usage(user, options)) : notAllowed('GET');
  }
  if (segments[0] === 'config' && segments.length === 1) {
    return method === 'GET' ? json(chatConfig(options)) : notAllowed('GET');
  }
  // An AI SDK client's routes by its chat id ({id}/stream, {id}/stop, {id}/messages), after ours.
  const uiChat = await routeUiChat(request, user, options, replies, segments);
  if (uiChat) return uiChat;
  throw new ChatError('not_found', 'No such route.');
}

async function listConversations(request: Request, user: UserChatStore): Promise<Response> {
  const params = new URL(request.url).searchParams;
  const query = parseWith(conversationListQuerySchema, {
    before: params.get('before') ?? undefined,
    beforeId: params.get('beforeId') ?? undefined,
    limit: params.get('limit') ?? undefined,
    archived: params.get('archived') ?? undefined,
  });
  // Normalised, so the database parses exactly what was validated here.
  const before = query.before === undefined ? undefined : new Date(query.before).toISOString();
  const beforeId = before === undefined ? undefined : query.beforeId;
  return json({ conversations: await user.listConversations({ before, beforeId, limit: query.limit, archived: query.archived === 'true' }) });
}

async function createConversation(request: Request, user: UserChatStore, options: ResolvedHandlerOptions): Promise<Response> {
  const body = await readJsonBody(request, createConversationBodySchema, MAX_BODY_BYTES);
  const provider = body.provider ?? options.defaultProvider;
  const policy = modelPolicy(options, provider);
  const model = body.model ?? policy.defaultModel;
  if (policy.allowedModels && !policy.allowedModels.includes(model)) {
    throw new ChatError('bad_request', `model: "${model}" is not available for ${provider}.`, { field: 'model' });
  }
  const conversation = await user.createConversation({
    title: body.title,
    systemPrompt: options.allowClientSystemPrompt ? body.systemPrompt : undefined,
    provider,
    model,
  });
  return json({ conversation }, { status: 201 });
}

async function patchConversation(
  request: Request,
  user: UserChatStore,
  id: string,
  options: ResolvedHandlerOptions,
  replies: ReplyRegistry,
): Promise<Response> {
  const body = await readJsonBody(request, conversationPatchSchema, MAX_BODY_BYTES);
  // The system prompt reaches the model as the operator's text: only where the app lets clients set it.
  if (body.systemPrompt !== undefined && !options.allowClientSystemPrompt) {
    throw new ChatError('forbidden', 'systemPrompt: this server does not let clients set the system prompt.', {
      field: 'systemPrompt',
    });
  }
  const disabledMcpServers = body.disabledMcpServers === undefined ? undefined : checkedServersOff(body.disabledMcpServers, options);
  if (!(await user.getConversation(id))) throw notFound();
  if (body.activeMessageId && !(await user.switchBranch(id, body.activeMessageId))) {
    throw new ChatError('not_found', 'Message not found.', { field: 'activeMessageId' });
  }
  const { title, systemPrompt, pinned, archived } = body;
  if (title !== undefined || systemPrompt !== undefined || pinned !== undefined || archived !== undefined || disabledMcpServers !== undefined) {
    await user.updateConversation(id, { title, systemPrompt, pinned, archived, disabledMcpServers });
  }
  return json(await conversationDetail(user, id, replies.store));
}

async function usage(user: UserChatStore, options: ResolvedHandlerOptions): Promise<UsageResponse> {
  const [summary, limits] = await Promise.all([user.getUsageSummary(), limitsFor(options, user.userId)]);
  return describeUsage(summary, limits);
}

function chatConfig(options: ResolvedHandlerOptions): ChatConfig {
  // The offline demo is listed only where it runs: a development server with no key.
  const names = PROVIDER_NAMES.filter((name) => name !== 'demo' || options.providers.demo);
  return {
    defaultProvider: options.defaultProvider,
    providers: names.map((name) => {
      const policy = modelPolicy(options, name);
      const models = [...(policy.allowedModels ?? [policy.defaultModel])];
      return {
        name,
        configured: Boolean(options.providers[name]),
        keyVariable: PROVIDER_KEY_VARIABLES[name],
        defaultModel: policy.defaultModel,
        models,
        labels: Object.fromEntries(models.map((model) => [model, modelLabel(model, options.pricing.model(name, model))])),
        accepts: Object.fromEntries(
          models.map((model) => [model, { images: modelReads(options.pricing.model(name, model), 'image/png'), pdf: modelReads(options.pricing.model(name, model), 'application/pdf') }]),
        ),
      };
    }),
    allowSystemPrompt: options.allowClientSystemPrompt,
    maxMessageChars: MAX_MESSAGE_CHARS,
    maxFilesPerMessage: options.attachments.maxFilesPerMessage,
    tools: offersTools(options),
  };
}

function notFound(): ChatError {
  return new ChatError('not_found', 'Conversation not found.');
}

function notAllowed(allow: string): Response {
  return json(
    { error: { code: 'bad_request', message: `Method not allowed here. Allowed: ${allow}.` } },
    { status: 405, headers: { allow } },
  );
}
