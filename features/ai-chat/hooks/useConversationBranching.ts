'use client';

import { useCallback, useState } from 'react';
import { DEFAULT_CHAT_API, patchConversation, postChat } from '../client/server-api';
import { chatErrorFromCode, toChatError } from '../client/http-error';
import { readChatEvents } from '../client/chat-transport';
import { ChatError } from '../protocol/errors';

export interface CreateBranchInput {
  conversationId: string;
  /** The new message is posted as a reply to this message, beside its existing replies. */
  fromMessageId: string | null;
  newMessage: string;
}

export interface CreatedBranch {
  userMessageId: string;
  assistantMessageId: string;
  /** The reply as written (possibly partial when the model stopped early). */
  reply: string;
}

export interface UseConversationBranchingResult {
  /** Posts `newMessage` under `fromMessageId` and waits for the whole reply; the branch becomes active. */
  createBranch: (input: CreateBranchInput) => Promise<CreatedBranch>;
  /** Makes the branch through `messageId` the one a conversation shows (sibling navigation). */
  switchBranch: (input: { conversationId: string; messageId: string }) => Promise<void>;
  pending: boolean;
  error: ChatError | null;
}

/**
 * Branches outside a mounted chat (scripts, "fork from here" menus). Inside ChatInterface the
 * same operations are `editMessage`, `regenerate` and `switchBranch` of useChat.
 * `userId` is accepted for compatibility and ignored.
 */
export function useConversationBranching(_userId?: string, options: { api?: string } = {}): UseConversationBranchingResult {
  const api = options.api ?? DEFAULT_CHAT_API;
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<ChatError | null>(null);

  const run = useCallback(async <T,>(work: () => Promise<T>): Promise<T> => {
    setPending(true);
    setError(null);
    try {
      return await work();
    } catch (caught) {
      const chatError = toChatError(caught);
      setError(chatError);
      throw chatError;
    } finally {
      setPending(false);
    }
  }, []);

  const createBranch = useCallback(
    (input: CreateBranchInput) =>
      run(async () => {
        const response = await postChat(
          api,
          { message: input.newMessage, conversationId: input.conversationId, parentMessageId: input.fromMessageId },
          new AbortController().signal,
        );
        if (!response.body) throw new ChatError('unknown', 'The server sent an empty reply.');
        let ids: { userMessageId: string; assistantMessageId: string } | undefined;
        let reply = '';
        let failure: ChatError | undefined;
        let finished = false;
        await readChatEvents(response.body, (event) => {
          if (event.type === 'start') ids = { userMessageId: event.userMessageId, assistantMessageId: event.assistantMessageId };
          else if (event.type === 'text-delta') reply += event.delta;
          else if (event.type === 'finish') finished = true;
          else if (event.type === 'error') failure = chatErrorFromCode(event.code, event.message);
        });
        if (failure) throw failure;
        if (!ids || !finished) throw new ChatError('network', 'The connection was lost before the reply finished.');
        return { ...ids, reply };
      }),
    [api, run],
  );

  const switchBranch = useCallback(
    (input: { conversationId: string; messageId: string }) =>
      run(() => patchConversation(api, input.conversationId, { activeMessageId: input.messageId })),
    [api, run],
  );

  return { createBranch, switchBranch, pending, error };
}
