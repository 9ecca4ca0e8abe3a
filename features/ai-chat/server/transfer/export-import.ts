import 'server-only';
import { providerNameSchema } from '../../protocol/chat-request';
import { ChatError } from '../../protocol/errors';
import {
  CONVERSATION_EXPORT_FORMAT,
  CONVERSATION_EXPORT_VERSION,
  exportFormatSchema,
  type ConversationExport,
} from '../../protocol/export';
import type { ConversationRecord, MessageRecord } from '../../protocol/records';
import type { ProviderName } from '../../providers/types';
import type { MessageFeedback, UserChatStore } from '../../store/chat-store';
import { importedTitle } from '../turn/conversation-title';
import { tokensOf } from '../ledger/accounting';
import { conversationMarkdown } from './export-markdown';
import { limitsFor, modelPolicy, type ResolvedHandlerOptions } from '../http/handler-options';
import { API_SECURITY_HEADERS, json } from '../http/http';
import { readImportDocument } from './import-body';
import { importedParts } from './import-parts';
import { importWriteOrder, leafToRestore } from './import-plan';
import { bindImportedFiles, reattachOwnFiles } from './import-files';
import { conversationDetail } from '../http/conversation-detail';

/**
 * GET …/conversations/:id/export?format=json|markdown: the whole tree as the versioned JSON file,
 * or the active branch as Markdown, as a download. Another user's conversation answers 404.
 */
export async function exportConversation(request: Request, user: UserChatStore, id: string): Promise<Response> {
  const requested = exportFormatSchema.safeParse(new URL(request.url).searchParams.get('format') ?? 'json');
  if (!requested.success) throw new ChatError('bad_request', 'format: must be json or markdown', { field: 'format' });
  const format = requested.data;
  const conversation = await user.getConversation(id);
  if (!conversation) throw new ChatError('not_found', 'Conversation not found.');

  const [body, contentType, extension] =
    format === 'json'
      ? [JSON.stringify(toExportDocument(conversation, await user.listMessages(id), await user.listFeedback(id)), null, 2), 'application/json', 'json']
      : [conversationMarkdown(conversation, await user.getActiveBranch(id)), 'text/markdown', 'md'];
  return new Response(body, {
    headers: {
      'content-type': `${contentType}; charset=utf-8`,
      'content-disposition': `attachment; filename="${slugify(conversation.title)}.${extension}"`,
      'cache-control': 'no-store',
      ...API_SECURITY_HEADERS,
    },
  });
}

/** The export file of a conversation and all its messages. */
export function toExportDocument(
  conversation: ConversationRecord,
  messages: readonly MessageRecord[],
  feedback: readonly MessageFeedback[] = [],
): ConversationExport {
  const feedbackOf = new Map(feedback.flatMap((given) => (given.rating ? [[given.messageId, { rating: given.rating, comment: given.comment }] as const] : [])));
  return {
    format: CONVERSATION_EXPORT_FORMAT,
    version: CONVERSATION_EXPORT_VERSION,
    exportedAt: new Date().toISOString(),
    conversation: {
      title: conversation.title,
      systemPrompt: conversation.systemPrompt,
      provider: conversation.provider,
      model: conversation.model,
      summary: conversation.summary,
      createdAt: conversation.createdAt,
      updatedAt: conversation.updatedAt,
      activeLeafId: conversation.activeLeafId,
    },
    messages: messages.map((message) => ({
      id: message.id,
      parentId: message.parentId,
      role: message.role,
      content: message.content,
      status: message.status,
      provider: message.provider,
      model: message.model,
      tokens: message.tokens,
      cost: message.cost,
      toolCalls: message.toolCalls,
      toolResults: message.toolResults,
      metadata: message.metadata,
      parts: message.parts ? [...message.parts] : null,
      createdAt: message.createdAt,
      ...(feedbackOf.has(message.id) ? { feedback: feedbackOf.get(message.id) } : {}),
    })),
  };
}

/**
 * POST …/conversations/import: recreates an export file as a new conversation of the caller's,
 * with fresh ids and the same branch on show, and answers 201 with its detail. Messages keep
 * their times and token counts; the importer's own files come back with them (copied). The whole
 * tree is written by one database call, so it is all or nothing and holds no other request up for
 * long. An import counts as one request against the requests-per-minute limit; it bills no tokens.
 */
export async function importConversation(request: Request, user: UserChatStore, options: ResolvedHandlerOptions): Promise<Response> {
  const document = await readImportDocument(request);
  const order = importWriteOrder(document.messages);
  const leaf = leafToRestore(document, order);
  // The system prompt and the summary both reach the model as system text: a file may only set
  // them where a client may.
  const trusted = options.allowClientSystemPrompt;
  const target = importedTarget(document, options);
  await countImportRequest(user, options, target);
  const files = await reattachOwnFiles(document, user, options.attachments);

  const indexOf = new Map(order.map((message, index) => [message.id, index]));
  const id = await user.importConversation({
    title: importedTitle(document.conversation.title),
    systemPrompt: trusted ? document.conversation.systemPrompt : null,
    summary: trusted ? document.conversation.summary : null,
    ...target,
    messages: order.map((message) => {
      const { parts, content } = importedParts(message.parts ?? null, message.content, message.role === 'user' ? files : undefined);
      return {
        parentIndex: message.parentId === null ? null : indexOf.get(message.parentId)!,
        role: message.role,
        content,
        parts,
        status: message.status,
        provider: message.provider,
        model: message.model,
        tokens: importedTokens(message.tokens, content, target),
        cost: message.cost,
        toolCalls: message.toolCalls,
        toolResults: message.toolResults,
        metadata: message.metadata,
        createdAt: message.createdAt,
      };
    }),
    activeIndex: leaf === null ? null : indexOf.get(leaf)!,
  });
  await bindImportedFiles(user, id, files);
  return json(await conversationDetail(user, id), { status: 201 });
}

/**
 * The file's own count when it has one, else counted here. Context fitting and the usage hold
 * trust stored counts, so a count under half of ours is taken for a file shrinking them and
 * recounted (two tokenizers differ by tens of percent, never by half).
 */
function importedTokens(fromFile: number | null, content: string, target: { provider: ProviderName; model: string }): number {
  const counted = tokensOf(content, target.provider, target.model);
  return fromFile !== null && fromFile * 2 >= counted ? fromFile : counted;
}

/**
 * Holds the import to the requests-per-minute limit through the usage ledger's own check: a
 * reservation of nothing, settled at once at zero, so it counts as a request and costs nothing.
 */
async function countImportRequest(user: UserChatStore, options: ResolvedHandlerOptions, target: { provider: ProviderName; model: string }) {
  const limits = await limitsFor(options, user.userId);
  const reservation = await user.reserveUsage({
    ...target,
    conversationId: null,
    estimatedTokens: 0,
    estimatedCost: '0',
    maxRequestsPerMinute: limits.maxRequestsPerMinute ?? null,
    purpose: 'import',
  });
  if (!reservation.allowed) {
    throw new ChatError('usage_limit', 'Too many requests in a minute. Wait a moment and import the file again.', {
      retryAfterSeconds: reservation.retryAfterSeconds,
    });
  }
  await user.settleUsage(reservation.reservationId, { ...target, promptTokens: 0, completionTokens: 0, cost: '0' });
}

/**
 * The file's provider and model when this server offers them, else this server's defaults: the
 * next turn must not fail on a model that was fine where the file came from.
 */
function importedTarget(document: ConversationExport, options: ResolvedHandlerOptions): { provider: ProviderName; model: string } {
  const named = providerNameSchema.safeParse(document.conversation.provider);
  const offered = named.success && options.providers[named.data] !== undefined;
  const provider = offered ? named.data : options.defaultProvider;
  const policy = modelPolicy(options, provider);
  const model = document.conversation.model;
  const allowed = offered && (!policy.allowedModels || policy.allowedModels.includes(model));
  return { provider, model: allowed ? model : policy.defaultModel };
}

/** A file name from a title: lower-case ASCII words joined by dashes. */
function slugify(title: string): string {
  const slug = title
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .slice(0, 80)
    .replace(/^-+|-+$/g, '');
  return slug || 'conversation';
}
