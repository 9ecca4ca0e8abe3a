import { DefaultChatTransport, readUIMessageStream, type UIMessage, type UIMessageChunk } from 'ai';
import { createChatHandler, type ChatHandler, type ChatHandlerOptions } from '@/features/ai-chat/server/http/chat-handler';
import { createAnthropicProvider } from '@/features/ai-chat/providers/anthropic/provider';
import { createOpenAIProvider } from '@/features/ai-chat/providers/openai/chat-completions-provider';
import { PostgresUserStore } from '@/features/ai-chat/store/postgres/postgres-user-store';
import { SqlReplyRunStore } from '@/features/ai-chat/store/postgres/reply-run-store';
import type { SqlDatabase } from '@/features/ai-chat/store/postgres/sql-database';
import { ANTHROPIC_TEST_KEY, OPENAI_TEST_KEY } from '../../support/chat-harness';
import type { FakeProviderServer } from '../../support/fake-providers';

/**
 * The AI SDK's own client (`ai`'s DefaultChatTransport) against the real handler, mounted through
 * a fetch function (no HTTP server): POST /api/chat goes to `handler.chat`, the rest to
 * `handler.route`, as the app's two route files send them. Each "instance" is a handler with its
 * own store over one database, as two servers would be.
 */
export const API = 'http://localhost/api/chat';

export interface AiSdkInstance {
  handler: ChatHandler;
  /** The fetch a browser of this user would make to this instance. */
  fetchAs(userId: string): typeof fetch;
  transport(userId: string): DefaultChatTransport<UIMessage>;
  /** The instance "dies": its timer stops. */
  halt(): void;
}

export function openAiSdkInstance(
  sql: SqlDatabase,
  fakes: { openai: FakeProviderServer; anthropic: FakeProviderServer },
  overrides: Partial<ChatHandlerOptions> = {},
  /** The SDKs' own retries (0: a provider error fails the turn at once). */
  maxRetries = 0,
): AiSdkInstance {
  const handler = createChatHandler({
    store: {
      forRequest: async (request) => new PostgresUserStore(sql, request.headers.get('x-test-user')!),
      replies: new SqlReplyRunStore(sql),
      close: async () => undefined,
    },
    providers: {
      openai: createOpenAIProvider({ apiKeys: [OPENAI_TEST_KEY], baseURL: fakes.openai.url, maxRetries }),
      anthropic: createAnthropicProvider({ apiKeys: [ANTHROPIC_TEST_KEY], baseURL: fakes.anthropic.url, maxRetries }),
    },
    models: {
      openai: { defaultModel: 'gpt-4o' },
      anthropic: { defaultModel: 'claude-sonnet-4-5' },
    },
    ...overrides,
  });
  const fetchAs = (userId: string): typeof fetch =>
    (async (input: RequestInfo | URL, init?: RequestInit) => {
      const request = new Request(input, init);
      const headers = new Headers(request.headers);
      headers.set('x-test-user', userId);
      const signed = new Request(request, { headers });
      const path = new URL(signed.url).pathname;
      return path === '/api/chat' ? handler.chat(signed) : handler.route(signed);
    }) as typeof fetch;
  return {
    handler,
    fetchAs,
    transport: (userId) => new DefaultChatTransport<UIMessage>({ api: API, fetch: fetchAs(userId) }),
    halt: () => handler.replies.halt(),
  };
}

/** A user message as useChat builds it. */
export function userMessage(text: string, id = `u-${Math.random().toString(36).slice(2, 10)}`): UIMessage {
  return { id, role: 'user', parts: [{ type: 'text', text }] };
}

export interface ReadReply {
  /** The assistant message as the AI SDK built it from the chunks. */
  message: UIMessage | undefined;
  chunks: UIMessageChunk[];
  /** `error` chunks, as readUIMessageStream reported them. */
  errors: string[];
}

/** Reads a chunk stream to its end through `ai`'s readUIMessageStream, keeping the chunks too. */
export async function readReply(stream: ReadableStream<UIMessageChunk>): Promise<ReadReply> {
  const [forMessage, forChunks] = stream.tee();
  const chunks: UIMessageChunk[] = [];
  const collecting = (async () => {
    for await (const chunk of forChunks as unknown as AsyncIterable<UIMessageChunk>) chunks.push(chunk);
  })();
  const errors: string[] = [];
  let message: UIMessage | undefined;
  for await (const snapshot of readUIMessageStream({ stream: forMessage, onError: (error) => errors.push(String((error as Error).message ?? error)) })) {
    message = snapshot;
  }
  await collecting;
  return { message, chunks, errors };
}

/** Sends a turn as useChat does and reads the reply whole. */
export async function send(
  transport: DefaultChatTransport<UIMessage>,
  chatId: string,
  messages: UIMessage[],
  options: { trigger?: 'submit-message' | 'regenerate-message'; messageId?: string; body?: object } = {},
): Promise<ReadReply> {
  const stream = await transport.sendMessages({
    chatId,
    messages,
    trigger: options.trigger ?? 'submit-message',
    messageId: options.messageId,
    abortSignal: undefined,
    body: options.body,
  });
  return readReply(stream);
}

/** The text of a UIMessage's text parts. */
export function textOfMessage(message: UIMessage | undefined): string {
  return (message?.parts ?? []).map((part) => (part.type === 'text' ? part.text : '')).join('');
}

/**
 * Reads chunks until `enough` says so, then cancels (the client leaves): what a reload mid-reply
 * does to the POST.
 */
export async function readUntil(stream: ReadableStream<UIMessageChunk>, enough: (chunks: UIMessageChunk[]) => boolean): Promise<UIMessageChunk[]> {
  const chunks: UIMessageChunk[] = [];
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    if (enough(chunks)) {
      await reader.cancel().catch(() => undefined);
      break;
    }
  }
  return chunks;
}
