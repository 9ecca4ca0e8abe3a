/**
 * Tells this browser's other tabs (same origin) that a message was sent in a conversation, so a
 * tab open on it shows the message and follows its reply without a reload. Nothing where there
 * is no BroadcastChannel (the server, old browsers): those tabs see it on their next load.
 */
export interface TabSignal {
  announce(conversationId: string): void;
  close(): void;
}

const NO_SIGNAL: TabSignal = { announce: () => {}, close: () => {} };

export function openTabSignal(name: string, onSent: (conversationId: string) => void): TabSignal {
  if (typeof window === 'undefined' || typeof BroadcastChannel !== 'function') return NO_SIGNAL;
  const channel = new BroadcastChannel(name);
  // Under Node (tests), an open channel must not keep the process alive.
  (channel as BroadcastChannel & { unref?: () => void }).unref?.();
  channel.onmessage = (event: MessageEvent<unknown>) => {
    const data = event.data as { sent?: unknown } | null;
    if (data && typeof data.sent === 'string') onSent(data.sent);
  };
  return {
    announce: (conversationId) => channel.postMessage({ sent: conversationId }),
    close: () => channel.close(),
  };
}
