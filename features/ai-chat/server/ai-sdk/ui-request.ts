import 'server-only';
import { z } from 'zod';
import { chatRequestSchema, MAX_MESSAGE_CHARS, withoutNul, type ChatRequestBody } from '../../protocol/chat-request';
import { ChatError } from '../../protocol/errors';
import { MAX_PARTS_PER_MESSAGE } from '../../protocol/parts';
import type { MessageRecord } from '../../protocol/records';
import type { UserChatStore } from '../../store/chat-store';
import { isUuid } from '../../store/ids';
import { conversationIdOfChat } from './chat-id';

/** The longest chat id we take: the AI SDK's are 16 characters, a UUID is 36. */
const MAX_CHAT_ID_CHARS = 200;
const MAX_UI_MESSAGES = 10_000;

const uiPartSchema = z.looseObject({ type: z.string().max(200) });
const uiMessageSchema = z.looseObject({
  id: z.string().max(MAX_CHAT_ID_CHARS),
  role: z.enum(['system', 'user', 'assistant']),
  parts: z.array(uiPartSchema).max(MAX_PARTS_PER_MESSAGE),
});
type UiMessageIn = z.infer<typeof uiMessageSchema>;

const options = chatRequestSchema.shape;

/**
 * The body `DefaultChatTransport` posts: `{ id, messages, trigger, messageId, ...body }`. Only the
 * last user message (or, to regenerate, which reply) is read from `messages`; the options our own
 * protocol takes (provider, model, …) may ride in `...body`.
 */
export const uiChatRequestSchema = z.object({
  id: withoutNul(z.string().min(1).max(MAX_CHAT_ID_CHARS)),
  messages: z.array(uiMessageSchema).max(MAX_UI_MESSAGES),
  trigger: z.enum(['submit-message', 'regenerate-message']),
  messageId: z.string().max(MAX_CHAT_ID_CHARS).nullish(),
  provider: options.provider,
  model: options.model,
  temperature: options.temperature,
  maxTokens: options.maxTokens,
  systemPrompt: options.systemPrompt,
  reasoningEffort: options.reasoningEffort,
});
export type UiChatRequest = z.infer<typeof uiChatRequestSchema>;

/** Whether a POST /api/chat body is the AI SDK's (by its shape: our own protocol has no `trigger`). */
export function isUiChatRequest(body: unknown): boolean {
  return body !== null && typeof body === 'object' && !Array.isArray(body) && 'trigger' in body && 'messages' in body;
}

/**
 * The turn an AI SDK request asks for, in our own protocol's terms, on the server's own history:
 * the conversation the chat id names (new on the first request), the new user message (its text
 * and uploaded files) or the stored reply to answer again. Earlier messages of the client's copy
 * are never read: a forged assistant turn changes nothing.
 */
export async function turnOfUiRequest(
  request: UiChatRequest,
  user: UserChatStore,
): Promise<{ body: Omit<ChatRequestBody, 'conversationId'> & { conversationId?: string }; conversationId: string; exists: boolean }> {
  const conversationId = conversationIdOfChat(user.userId, request.id);
  const exists = (await user.getConversation(conversationId)) !== null;
  const { messages, trigger, messageId } = request;
  const { provider, model, temperature, maxTokens, systemPrompt, reasoningEffort } = request;
  const base = { provider, model, temperature, maxTokens, systemPrompt, reasoningEffort, ...(exists ? { conversationId } : {}) };
  if (trigger === 'regenerate-message') {
    if (!exists) throw new ChatError('not_found', 'Conversation not found: nothing to regenerate.', { field: 'id' });
    const question = await questionToAnswerAgain(user, conversationId, messageId ?? null);
    return { body: { ...base, parentMessageId: question }, conversationId, exists };
  }
  const last = messages.at(-1);
  if (!last || last.role !== 'user') {
    throw new ChatError('bad_request', "messages: the last message must be the user's new message", { field: 'messages' });
  }
  const edited = exists && messageId ? await editedMessage(user, conversationId, messageId) : null;
  return {
    body: {
      ...base,
      message: textOf(last),
      ...attachmentsOf(last),
      // An edit answers from where the edited question hung: a new branch beside it.
      ...(edited ? { parentMessageId: edited.parentId } : {}),
    },
    conversationId,
    exists,
  };
}

/** The user message a regenerate answers again: the stored reply's question, else the branch's last question. */
async function questionToAnswerAgain(user: UserChatStore, conversationId: string, messageId: string | null): Promise<string> {
  if (messageId && isUuid(messageId)) {
    const target = (await user.getActiveBranch(conversationId, messageId)).at(-1);
    if (!target || target.id !== messageId) throw new ChatError('not_found', 'Message not found.', { field: 'messageId' });
    if (target.role === 'user') return target.id;
    if (target.parentId) return target.parentId;
  }
  const branch = await user.getActiveBranch(conversationId);
  const question = [...branch].reverse().find((message) => message.role === 'user');
  if (!question) throw new ChatError('not_found', 'Message not found: nothing to regenerate.', { field: 'messageId' });
  return question.id;
}

/** The stored user message an edit replaces, when the client names one of ours. */
async function editedMessage(user: UserChatStore, conversationId: string, messageId: string): Promise<MessageRecord | null> {
  if (!isUuid(messageId)) return null;
  const target = (await user.getActiveBranch(conversationId, messageId)).at(-1);
  return target && target.id === messageId && target.role === 'user' ? target : null;
}

function textOf(message: UiMessageIn): string {
  const texts = message.parts.flatMap((part) => (part.type === 'text' && typeof part.text === 'string' ? [part.text] : []));
  const text = texts.join('\n');
  if (text.length > MAX_MESSAGE_CHARS) {
    throw new ChatError('payload_too_large', `message: longer than ${MAX_MESSAGE_CHARS} characters`, { field: 'message' });
  }
  return text;
}

const ATTACHMENT_URL = /\/attachments\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i;

/** Files sent with a message must be uploaded first (POST /api/chat/attachments); a part names one by its URL. */
function attachmentsOf(message: UiMessageIn): { attachments?: string[] } {
  const ids: string[] = [];
  for (const part of message.parts) {
    if (part.type !== 'file') continue;
    const url = typeof part.url === 'string' ? part.url.split(/[?#]/)[0]! : '';
    const match = ATTACHMENT_URL.exec(url);
    if (!match) {
      throw new ChatError(
        'bad_request',
        'messages: a file must be uploaded first (POST /api/chat/attachments) and sent as a file part whose url is its /api/chat/attachments/<id>',
        { field: 'messages' },
      );
    }
    ids.push(match[1]!.toLowerCase());
  }
  return ids.length > 0 ? { attachments: ids } : {};
}
