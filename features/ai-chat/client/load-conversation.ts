import { getConversation } from './chat-api';
import type { ChatSessionState } from './chat-session-types';
import { isAbortError, toChatError } from './http-error';
import type { MessageStore } from './message-store';
import { modelOfConversation, viewsFromDetail } from './saved-turn';

/**
 * Reads a conversation and shows its active branch as saved, held on the model that wrote it;
 * a failure shows as the chat's error. Aborted reads show nothing: another load or chat won.
 */
export async function showConversation(
  chat: { messages: MessageStore; setState(patch: Partial<ChatSessionState>): void },
  api: string,
  conversationId: string,
  signal: AbortSignal,
): Promise<void> {
  try {
    const detail = await getConversation(api, conversationId, signal);
    if (signal.aborted) return;
    chat.messages.replaceAll(viewsFromDetail(detail));
    chat.setState({ historyLoading: false, conversationModel: modelOfConversation(detail), failedReplyKey: null });
  } catch (error) {
    if (signal.aborted || isAbortError(error)) return;
    chat.setState({ historyLoading: false, error: toChatError(error) });
  }
}
