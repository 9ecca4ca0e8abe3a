'use client';

import { useSyncExternalStore } from 'react';
import type { ChatMessageView } from '../client/chat-message-view';
import { useChatController, type ChatController, type UseChatOptions } from './useChatController';

export type { UseChatOptions } from './useChatController';
export type { ChatMessageView, ChatMessageState } from '../client/chat-message-view';
export type { ChatStatus } from '../client/session-types';
export type { SendMessageOptions } from '../client/chat-session';
export type { AttachmentRecord } from '../client/server-api';

export interface UseChatResult extends ChatController {
  /**
   * Every message shown, in order. A new array whenever any message changes (each streamed
   * frame): for long chats render rows with `useChatMessage(session.messages, key)` instead.
   */
  messages: readonly ChatMessageView[];
}

/** The chat's messages, status and actions, talking to the module's routes under `api`. */
export function useChat(options: UseChatOptions = {}): UseChatResult {
  const controller = useChatController(options);
  const store = controller.session.messages;
  const messages = useSyncExternalStore(store.subscribeAll, store.getMessages, store.getMessages);
  return { ...controller, messages };
}
