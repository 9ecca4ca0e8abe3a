import type { ConversationDetail } from '../protocol/rest';
import type { ChatTransport } from './chat-transport';
import type { ChatSessionState } from './chat-session-types';
import { isAbortError, toChatError } from './http-error';
import type { MessageStore } from './message-store';
import { modelOfConversation, viewsFromDetail } from './saved-turn';

/**
 * Reads a conversation and shows its active branch as saved, held on the model that wrote it;
 * a failure shows as the chat's error. Aborted reads show nothing: another load or chat won.
 * Resolves with what it showed, or null.
 */
export async function showConversation(
  chat: { messages: MessageStore; setState(patch: Partial<ChatSessionState>): void },
  transport: ChatTransport,
  conversationId: string,
  signal: AbortSignal,
): Promise<ConversationDetail | null> {
  try {
    const detail = await transport.loadConversation(conversationId, signal);
    if (signal.aborted) return null;
    chat.messages.replaceAll(viewsFromDetail(detail));
    chat.setState({ historyLoading: false, conversationModel: modelOfConversation(detail), failedReplyKey: null });
    return detail;
  } catch (error) {
    if (signal.aborted || isAbortError(error)) return null;
    chat.setState({ historyLoading: false, error: toChatError(error) });
    return null;
  }
}
