import { Profiler } from 'react';
import { createRoot } from 'react-dom/client';
import { ChatInterface } from '../../../features/ai-chat/components/ChatInterface';
import { toSseFrame, type ChatEvent } from '../../../features/ai-chat/protocol/chat-events';
import type { ConversationDetail, UsageResponse, ChatConfig } from '../../../features/ai-chat/protocol/rest';
import { ASSISTANT_ID, CONVERSATION_ID, END_MARKER, USER_ID, history, replyDeltas } from '../fixtures';
import { installHandle, jsonResponse, onRootRender, pacedEventStream, readSettings } from './harness';

/**
 * Our client as the app ships it: <ChatInterface> (useChatController, MessageList, MessageRow,
 * ChatMessage, Markdown) talking to its routes, which `fetch` answers here in the page: the
 * conversation from GET /api/chat/conversations/:id, the reply as the SSE protocol of POST /api/chat.
 */
const settings = readSettings();
installHandle('[role="log"] article', END_MARKER);

const CREATED = '2026-01-01T00:00:00.000Z';
const messages = history(settings.messages);
const detail: ConversationDetail = {
  conversation: {
    id: CONVERSATION_ID,
    title: 'Benchmark',
    systemPrompt: null,
    provider: 'openai',
    model: 'gpt-5-mini',
    summary: null,
    summaryThroughMessageId: null,
    activeLeafId: messages.at(-1)?.id ?? null,
    createdAt: CREATED,
    updatedAt: CREATED,
  },
  messages: messages.map((message, i) => ({
    id: message.id,
    conversationId: CONVERSATION_ID,
    parentId: i === 0 ? null : messages[i - 1]!.id,
    role: message.role,
    content: message.text,
    status: 'complete',
    provider: message.role === 'assistant' ? 'openai' : null,
    model: message.role === 'assistant' ? 'gpt-5-mini' : null,
    tokens: message.role === 'assistant' ? 120 : 20,
    cost: message.role === 'assistant' ? '0.0001200000' : null,
    toolCalls: null,
    toolResults: null,
    metadata: {},
    createdAt: CREATED,
  })),
  siblings: {},
  generating: [],
};
const config: ChatConfig = {
  defaultProvider: 'openai',
  providers: [{ name: 'openai', configured: true, keyVariable: 'OPENAI_API_KEY', defaultModel: 'gpt-5-mini', models: ['gpt-5-mini'] }],
  allowSystemPrompt: true,
  maxMessageChars: 32_000,
};
const usage: UsageResponse = {
  usage: { tokensToday: 0, costToday: '0', tokensThisMonth: 0, costThisMonth: '0', requestsThisMonth: 0, tokensInProgress: 0, costInProgress: '0' },
  limits: { maxTokensPerDay: null, maxCostPerMonth: null, maxRequestsPerMinute: null },
  remaining: { tokensToday: null, costThisMonth: null },
};

const frame = (event: ChatEvent) => toSseFrame(event);
const deltas = replyDeltas(settings.deltas).map((delta) => frame({ type: 'text-delta', delta }));

window.fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
  const url = new URL(input instanceof Request ? input.url : String(input), window.location.href);
  const method = init?.method ?? 'GET';
  if (url.pathname === '/api/chat/config') return jsonResponse(config);
  if (url.pathname === '/api/chat/usage') return jsonResponse(usage);
  if (url.pathname === `/api/chat/conversations/${CONVERSATION_ID}`) return jsonResponse(detail);
  if (url.pathname === '/api/chat' && method === 'POST') {
    const head = [frame({ type: 'start', conversationId: CONVERSATION_ID, userMessageId: USER_ID, assistantMessageId: ASSISTANT_ID, provider: 'openai', model: 'gpt-5-mini' })];
    const tail = [
      frame({ type: 'usage', promptTokens: 1000, completionTokens: settings.deltas, totalTokens: 1000 + settings.deltas, cost: '0.0030000000' }),
      frame({ type: 'finish', messageId: ASSISTANT_ID, finishReason: 'stop' }),
    ];
    return new Response(pacedEventStream(head, deltas, tail, settings.intervalMs), { headers: { 'content-type': 'text/event-stream' } });
  }
  return new Response('not found', { status: 404 });
};

createRoot(document.getElementById('root')!).render(
  <Profiler id="ours" onRender={onRootRender}>
    <div className="flex h-dvh flex-col">
      <ChatInterface conversationId={CONVERSATION_ID} />
    </div>
  </Profiler>,
);
