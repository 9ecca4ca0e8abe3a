'use client';

import { useChat } from '@ai-sdk/react';
import { DefaultChatTransport, type UIMessage } from 'ai';
import { useEffect, useState, type FormEvent } from 'react';

const transport = new DefaultChatTransport({
  api: '/api/chat',
  // The server owns the history: send only the new message.
  prepareSendMessagesRequest: ({ id, messages, trigger, messageId, body }) => ({
    body: { ...body, id, messages: messages.slice(-1), trigger, messageId },
  }),
});

/** A refusal's words: the server's 4xx body is `{"error":{"message",…}}`. */
function errorWords(error: Error): string {
  try {
    return (JSON.parse(error.message) as { error: { message: string } }).error.message;
  } catch {
    return error.message;
  }
}

/** Loads the saved chat first, so useChat resumes a reply in progress on top of it. */
export function AiSdkChat({ chatId }: { chatId: string }) {
  const [initial, setInitial] = useState<UIMessage[] | null>(null);
  useEffect(() => {
    void fetch(`/api/chat/${encodeURIComponent(chatId)}/messages`)
      .then((response) => response.json() as Promise<{ messages: UIMessage[] }>)
      .then((saved) => setInitial(saved.messages));
  }, [chatId]);
  if (!initial) return <p className="p-4">Loading…</p>;
  return <ChatWindow chatId={chatId} initial={initial} />;
}

function ChatWindow({ chatId, initial }: { chatId: string; initial: UIMessage[] }) {
  const { messages, sendMessage, status, error, stop } = useChat({ id: chatId, messages: initial, transport, resume: true });
  const [text, setText] = useState('');
  const busy = status === 'submitted' || status === 'streaming';

  const send = (event: FormEvent) => {
    event.preventDefault();
    if (!text.trim() || busy) return;
    void sendMessage({ text });
    setText('');
  };
  // Stops the reply itself (useChat's stop() alone only stops reading): its stream then ends with
  // what was written, marked stopped.
  const stopReply = async () => {
    const stopped = await fetch(`/api/chat/${encodeURIComponent(chatId)}/stop`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }).catch(() => null);
    if (!stopped?.ok) await stop();
  };

  return (
    <main className="mx-auto flex h-screen max-w-2xl flex-col gap-3 p-4">
      <h1 className="text-lg font-semibold">AI SDK useChat on the ai-chat server</h1>
      <div role="log" aria-label="Messages" className="flex-1 space-y-3 overflow-y-auto">
        {messages.map((message) => (
          <article key={message.id} aria-label={message.role === 'user' ? 'Your message' : 'Reply'} data-status={status}>
            {message.parts.map((part, index) => {
              if (part.type === 'text') return <p key={index} className="whitespace-pre-wrap">{part.text}</p>;
              if (part.type === 'reasoning') return <details key={index}><summary>Thinking</summary>{part.text}</details>;
              return null;
            })}
            {(message.metadata as { stopped?: boolean } | undefined)?.stopped ? <p>Stopped</p> : null}
          </article>
        ))}
      </div>
      {error ? <p role="alert">{errorWords(error)}</p> : null}
      <form onSubmit={send} className="flex gap-2">
        <label className="sr-only" htmlFor="ai-sdk-message">Message</label>
        <input id="ai-sdk-message" className="flex-1 rounded border px-2 py-1" value={text} onChange={(event) => setText(event.target.value)} />
        {busy ? (
          <button type="button" onClick={() => void stopReply()} className="rounded border px-3">Stop</button>
        ) : (
          <button type="submit" className="rounded border px-3">Send</button>
        )}
      </form>
    </main>
  );
}
