import 'server-only';
import type { ChatEvent } from '../../protocol/chat-events';
import { SSE_HEADERS } from '../http/http';
import type { SseFraming } from '../http/sse-stream';
import { createUiChunkTranslator, toUiSseFrame, UI_DONE_FRAME, UI_MESSAGE_STREAM_HEADER } from './ui-chunks';

/** A reply's body in the AI SDK's UI message stream: one per response (the translator keeps state). */
export function uiFraming(): SseFraming<ChatEvent> {
  const translate = createUiChunkTranslator();
  return {
    frame: (event) => translate(event).map(toUiSseFrame).join(''),
    trailer: UI_DONE_FRAME,
  };
}

/** Our streamed reply's headers, plus the one that tells the AI SDK which protocol it reads. */
export const UI_STREAM_HEADERS = { ...SSE_HEADERS, ...UI_MESSAGE_STREAM_HEADER } as const;
