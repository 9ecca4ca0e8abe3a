import { useChat } from '@ai-sdk/react';
import { DefaultChatTransport, type UIMessage } from 'ai';
import { memo, Profiler, useState } from 'react';
import { createRoot } from 'react-dom/client';
import ReactMarkdown from 'react-markdown';
import remarkGfm from 'remark-gfm';
import { StickToBottom } from 'use-stick-to-bottom';
import { ASSISTANT_ID, END_MARKER, history, replyDeltas } from '../fixtures';
import { installHandle, jsonResponse, onRootRender, pacedEventStream, readSettings } from './harness';

/**
 * `@ai-sdk/react` 4's useChat (AI SDK 7), as its README and AI Elements use it: the history as
 * initial `messages`, `DefaultChatTransport` POSTing to /api/chat, `sendMessage({ text })`, the
 * reply in its UI message stream protocol (SSE, `x-vercel-ai-ui-message-stream: v1`); no
 * `throttle` (its default: every chunk updates). Rendered the way AI Elements does: a StickToBottom log, one memoised row per
 * message (unchanged rows keep their object, so they skip), each message's text through
 * react-markdown with remark-gfm, the same renderer as ours.
 */
const settings = readSettings();
installHandle('#log > li', END_MARKER);

const initialMessages: UIMessage[] = history(settings.messages).map((message) => ({
  id: message.id,
  role: message.role,
  parts: [{ type: 'text', text: message.text }],
}));
const frame = (chunk: object) => `data: ${JSON.stringify(chunk)}\n\n`;
const deltas = replyDeltas(settings.deltas).map((delta) => frame({ type: 'text-delta', id: 'text-1', delta }));

window.fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
  const url = new URL(input instanceof Request ? input.url : String(input), window.location.href);
  if (url.pathname === '/api/chat' && init?.method === 'POST') {
    const head = [frame({ type: 'start', messageId: ASSISTANT_ID }), frame({ type: 'start-step' }), frame({ type: 'text-start', id: 'text-1' })];
    const tail = [frame({ type: 'text-end', id: 'text-1' }), frame({ type: 'finish-step' }), frame({ type: 'finish', finishReason: 'stop' }), 'data: [DONE]\n\n'];
    return new Response(pacedEventStream(head, deltas, tail, settings.intervalMs), {
      headers: { 'content-type': 'text/event-stream', 'x-vercel-ai-ui-message-stream': 'v1' },
    });
  }
  return jsonResponse({ error: 'not found' });
};

const REMARK_PLUGINS = [remarkGfm];

const Row = memo(function Row({ message }: { message: UIMessage }) {
  const text = message.parts.map((part) => (part.type === 'text' ? part.text : '')).join('');
  return (
    <li>
      <article aria-label={message.role === 'user' ? 'You said' : 'Assistant said'}>
        {message.role === 'user' ? <p>{text}</p> : <ReactMarkdown remarkPlugins={REMARK_PLUGINS}>{text}</ReactMarkdown>}
      </article>
    </li>
  );
});

const transport = new DefaultChatTransport({ api: '/api/chat' });

function Chat() {
  const { messages, sendMessage, status } = useChat({ transport, messages: initialMessages });
  const [input, setInput] = useState('');
  return (
    <div style={{ display: 'flex', flexDirection: 'column', height: '100dvh' }}>
      <StickToBottom style={{ position: 'relative', flex: 1, minHeight: 0 }} resize="smooth" initial="instant">
        <StickToBottom.Content>
          <ol id="log" role="log">
            {messages.map((message) => (
              <Row key={message.id} message={message} />
            ))}
          </ol>
        </StickToBottom.Content>
      </StickToBottom>
      <textarea
        aria-label="Message"
        value={input}
        disabled={status === 'streaming' || status === 'submitted'}
        onChange={(event) => setInput(event.target.value)}
        onKeyDown={(event) => {
          if (event.key !== 'Enter' || event.shiftKey) return;
          event.preventDefault();
          void sendMessage({ text: input });
          setInput('');
        }}
      />
    </div>
  );
}

createRoot(document.getElementById('root')!).render(
  <Profiler id="theirs" onRender={onRootRender}>
    <Chat />
  </Profiler>,
);
