import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createChatHandler, type ChatHandler } from '@/features/ai-chat/server/http/chat-handler';
import { requestGuardOptionsFromEnv } from '@/features/ai-chat/server/http/request-guard';
import { parseChatEnv } from '@/features/ai-chat/config/env';
import type { ChatEvent } from '@/features/ai-chat/protocol/chat-events';
import { startChatHarness, type ChatHarness } from '../support/chat-harness';
import { readChatEvents, textOf } from '../support/sse';

/**
 * Issue 10, finding 4: the embedded app answered any website. These are the attacker's moves
 * against the real handler (embedded PGlite store, loopback fake providers), with the headers a
 * browser sends for each: a page on another site posting a "simple" request (no preflight), and a
 * DNS-rebound page whose own name now points at the loopback server.
 */

const APP = 'http://localhost:3000';
const ATTACKER = 'https://attacker.example';

/** A conversation export, as an attacker would plant it. */
const PLANTED_EXPORT = {
  format: 'ai-chat.conversation',
  version: 1,
  exportedAt: new Date().toISOString(),
  conversation: {
    title: 'Planted',
    systemPrompt: null,
    provider: 'openai',
    model: 'gpt-4o',
    summary: null,
    createdAt: new Date().toISOString(),
    updatedAt: new Date().toISOString(),
    activeLeafId: null,
  },
  messages: [{ id: 'a', parentId: null, role: 'user', content: 'planted', createdAt: new Date().toISOString() }],
};

function browserRequest(path: string, init: { method?: string; headers: Record<string, string>; body?: string }): Request {
  return new Request(`${APP}/api/chat${path}`, { method: init.method ?? 'GET', headers: init.headers, body: init.body });
}

/** What `fetch(APP + '/api/chat', { method: 'POST', mode: 'no-cors', body: '…' })` on another site sends. */
function crossSitePost(path: string, body: unknown): Request {
  return browserRequest(path, {
    method: 'POST',
    headers: { host: 'localhost:3000', origin: ATTACKER, 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'no-cors' },
    // A string body makes the content type text/plain;charset=UTF-8: no preflight.
    body: JSON.stringify(body),
  });
}

async function refusal(response: Response): Promise<{ status: number; code: string }> {
  expect(response.headers.get('content-type')).toContain('application/json');
  const body = (await response.json()) as { error: { code: string; message: string } };
  expect(body.error.message.length).toBeGreaterThan(0);
  return { status: response.status, code: body.error.code };
}

describe('a website calling the embedded app', () => {
  let h: ChatHarness;
  let sessionReads: number;
  let handler: ChatHandler;

  beforeAll(async () => {
    h = await startChatHarness();
    // Count how often the session is read: a refused request must not get that far.
    handler = createChatHandler({
      ...h.handler.options,
      store: {
        replies: h.store.replies,
        forRequest: (request) => {
          sessionReads += 1;
          return h.store.forRequest(request);
        },
        close: async () => {},
      },
    });
  });
  afterAll(async () => {
    await h?.close();
  });
  beforeEach(() => {
    sessionReads = 0;
    h.openai.reset();
    h.anthropic.reset();
  });

  it('a cross-site text/plain POST to the chat runs no turn: 403, nothing written, no provider called', async () => {
    h.openai.script({ text: 'billed words' });
    const before = await h.counts();
    const response = await handler.chat(crossSitePost('', { message: 'spend the owner’s money' }));
    expect(await refusal(response)).toEqual({ status: 403, code: 'forbidden' });
    expect(await h.counts()).toEqual(before);
    expect(h.openai.requests).toHaveLength(0);
    expect(sessionReads).toBe(0);
  });

  it('a cross-site text/plain POST to import plants nothing', async () => {
    const before = await h.counts();
    const response = await handler.route(crossSitePost('/conversations/import', PLANTED_EXPORT));
    expect(await refusal(response)).toEqual({ status: 403, code: 'forbidden' });
    expect(await h.counts()).toEqual(before);
  });

  it('a cross-site form POST is refused on every writing route', async () => {
    const before = await h.counts();
    const form = { host: 'localhost:3000', origin: ATTACKER, 'sec-fetch-site': 'cross-site', 'content-type': 'application/x-www-form-urlencoded' };
    for (const [method, path] of [['POST', '/conversations'], ['POST', '/conversations/import'], ['PATCH', `/conversations/${crypto.randomUUID()}`], ['DELETE', `/conversations/${crypto.randomUUID()}`]] as const) {
      const response = await handler.route(browserRequest(path, { method, headers: form, body: method === 'DELETE' ? undefined : 'title=pwned' }));
      expect(await refusal(response), `${method} ${path}`).toEqual({ status: 403, code: 'forbidden' });
    }
    expect(await h.counts()).toEqual(before);
    expect(sessionReads).toBe(0);
  });

  it('a text/plain body is refused even from a client that sends no Origin: 415, nothing written, no provider called', async () => {
    const before = await h.counts();
    const plain = { host: 'localhost:3000' };
    const chat = await handler.chat(browserRequest('', { method: 'POST', headers: plain, body: JSON.stringify({ message: 'hi' }) }));
    expect(await refusal(chat)).toEqual({ status: 415, code: 'bad_request' });
    const imported = await handler.route(browserRequest('/conversations/import', { method: 'POST', headers: plain, body: JSON.stringify(PLANTED_EXPORT) }));
    expect(await refusal(imported)).toEqual({ status: 415, code: 'bad_request' });
    expect(await h.counts()).toEqual(before);
    expect(h.openai.requests).toHaveLength(0);
  });

  it('a DNS-rebound page (a foreign Host, same-origin to the browser) reads no conversation and writes nothing', async () => {
    // The owner has a conversation.
    h.openai.script({ text: 'A private answer.' });
    const events = await readChatEvents(await h.post({ message: 'My private question' }));
    const { conversationId } = events[0] as Extract<ChatEvent, { type: 'start' }>;
    const before = await h.counts();
    sessionReads = 0;
    h.openai.reset();

    const rebound = { host: 'attacker.example:3000', 'sec-fetch-site': 'same-origin' };
    for (const path of ['/conversations', `/conversations/${conversationId}`, `/conversations/${conversationId}/export?format=markdown`, '/usage', '/config']) {
      const response = await handler.route(browserRequest(path, { headers: rebound }));
      const text = await response.clone().text();
      expect(text, path).not.toContain('private');
      expect(await refusal(response), path).toEqual({ status: 421, code: 'forbidden' });
    }
    const post = await handler.chat(
      browserRequest('', {
        method: 'POST',
        headers: { ...rebound, origin: 'http://attacker.example:3000', 'content-type': 'application/json' },
        body: JSON.stringify({ message: 'spend', conversationId }),
      }),
    );
    expect(await refusal(post)).toEqual({ status: 421, code: 'forbidden' });
    expect(await h.counts()).toEqual(before);
    expect(h.openai.requests).toHaveLength(0);
    expect(sessionReads).toBe(0);
  });

  it('the app’s own page still chats, imports and lists: same-origin JSON works', async () => {
    const own = { host: 'localhost:3000', origin: APP, 'sec-fetch-site': 'same-origin', 'content-type': 'application/json' };
    h.openai.script({ text: 'Hello from the fake.' });
    const chat = await handler.chat(browserRequest('', { method: 'POST', headers: own, body: JSON.stringify({ message: 'Hello' }) }));
    expect(chat.status).toBe(200);
    expect(textOf(await readChatEvents(chat))).toBe('Hello from the fake.');

    const imported = await handler.route(browserRequest('/conversations/import', { method: 'POST', headers: own, body: JSON.stringify(PLANTED_EXPORT) }));
    expect(imported.status).toBe(201);

    // A same-origin GET, as the browser sends it: no Origin, no body.
    const list = await handler.route(browserRequest('/conversations', { headers: { host: 'localhost:3000', 'sec-fetch-site': 'same-origin' } }));
    expect(list.status).toBe(200);
    const titles = ((await list.json()) as { conversations: { title: string }[] }).conversations.map((conversation) => conversation.title);
    expect(titles).toEqual(expect.arrayContaining(['Hello', expect.stringContaining('Planted')]));
  });

  it('with the Supabase store’s defaults (any host), a cross-site request carrying a session cookie is still refused', async () => {
    const supabaseGuard = requestGuardOptionsFromEnv(
      parseChatEnv({ NEXT_PUBLIC_SUPABASE_URL: 'https://project.supabase.co', NEXT_PUBLIC_SUPABASE_ANON_KEY: 'anon', SUPABASE_SERVICE_ROLE_KEY: 'service' }),
    );
    const deployed = createChatHandler({ ...handler.options, requestGuard: supabaseGuard });
    const before = await h.counts();
    const request = new Request('https://chat.example.com/api/chat', {
      method: 'POST',
      // SameSite=Lax cookies are not sent on a cross-site POST, but a same-site sibling's page or an
      // older browser would send them: the Origin check does not rely on it.
      headers: { host: 'chat.example.com', origin: 'https://evil.example.com', 'sec-fetch-site': 'same-site', cookie: 'sb-project-auth-token=base64-e30' },
      body: JSON.stringify({ message: 'spend' }),
    });
    expect(await refusal(await deployed.chat(request))).toEqual({ status: 403, code: 'forbidden' });
    expect(await h.counts()).toEqual(before);
    expect(sessionReads).toBe(0);

    // Its own page on its own host is served.
    const list = await deployed.route(new Request('https://chat.example.com/api/chat/conversations', { headers: { host: 'chat.example.com', 'sec-fetch-site': 'same-origin' } }));
    expect(list.status).toBe(200);
  });
});
