import { setupServer, type SetupServer } from 'msw/node';
import { afterAll, beforeAll, vi } from 'vitest';

/** Stands in for WebSocket where Node has none: the chat stores must never open Supabase Realtime. */
class UnusedWebSocket {
  constructor() {
    throw new Error('the chat store opened a WebSocket');
  }
}

/**
 * The network a Supabase-store suite runs on, set up for the file it is called in: an msw server
 * that fails any request nobody expected (tests add the fake project's handlers), and no
 * WebSocket.
 */
export function supabaseTestNetwork(): SetupServer {
  const server = setupServer();
  beforeAll(() => {
    server.listen({ onUnhandledRequest: 'error' });
    if (typeof globalThis.WebSocket === 'undefined') vi.stubGlobal('WebSocket', UnusedWebSocket);
  });
  afterAll(() => {
    vi.unstubAllGlobals();
    server.close();
  });
  return server;
}
