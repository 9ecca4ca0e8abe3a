import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { beforeAll, describe, expect, it } from 'vitest';
import { baseUrl, providers } from './support/journey';

/**
 * Issue 10, finding 4, black-box: raw HTTP against the built app under `next start` (the global
 * setup's), so every header is exactly what an attacker's page would make a browser send: nothing
 * added by fetch, and `Host` chosen freely (which fetch does not allow).
 */

interface RawResponse {
  status: number;
  contentType: string;
  text: string;
  headers: IncomingHttpHeaders;
}

const base = new URL(baseUrl);
/** The app's own host as a browser on it sends it: 127.0.0.1:<port>. */
const OWN_HOST = base.host;
const ATTACKER = 'https://attacker.example';

function raw(method: string, path: string, headers: Record<string, string>, body?: string): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: base.hostname,
        port: base.port,
        method,
        path,
        // setHost: false, so the Host header is only the one given (or none at all).
        setHost: false,
        headers: { host: OWN_HOST, ...headers, ...(body === undefined ? {} : { 'content-length': String(Buffer.byteLength(body)) }) },
        timeout: 30_000,
      },
      (res) => {
        const parts: Buffer[] = [];
        res.on('data', (part: Buffer) => parts.push(part));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type'] ?? ''), text: Buffer.concat(parts).toString('utf8'), headers: res.headers }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${path} timed out`)));
    req.on('error', reject);
    req.end(body);
  });
}

/** A 4xx answer in the module's JSON error shape; its code. */
function refusalCode(response: RawResponse, status: number): string {
  expect(response.status, response.text).toBe(status);
  expect(response.contentType).toContain('application/json');
  const body = JSON.parse(response.text) as { error: { code: string; message: string } };
  expect(body.error.message.length).toBeGreaterThan(0);
  return body.error.code;
}

/** The conversations as the app's own page sees them. */
async function conversationIds(): Promise<string[]> {
  const response = await raw('GET', '/api/chat/conversations', { 'sec-fetch-site': 'same-origin' });
  expect(response.status).toBe(200);
  return (JSON.parse(response.text) as { conversations: { id: string }[] }).conversations.map((conversation) => conversation.id).sort();
}

const CHAT_BODY = JSON.stringify({ message: 'spend the owner’s money', provider: 'openai' });
const IMPORT_BODY = JSON.stringify({
  format: 'ai-chat.conversation',
  version: 1,
  exportedAt: new Date().toISOString(),
  conversation: { title: 'Planted', provider: 'openai', model: 'gpt-5-mini', createdAt: new Date().toISOString(), updatedAt: new Date().toISOString() },
  messages: [{ id: 'a', parentId: null, role: 'user', content: 'planted', createdAt: new Date().toISOString() }],
});

describe('who may call the built app (raw HTTP against next start)', () => {
  let providerCalls: () => Promise<number>;
  beforeAll(() => {
    providerCalls = async () => (await providers.requests('openai')).length + (await providers.requests('anthropic')).length;
  });

  it('a POST from another site’s page (foreign Origin, text/plain, no preflight) runs no turn and imports nothing', async () => {
    const before = { ids: await conversationIds(), calls: await providerCalls() };
    const attack = { origin: ATTACKER, 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'no-cors', 'content-type': 'text/plain;charset=UTF-8' };
    expect(refusalCode(await raw('POST', '/api/chat', attack, CHAT_BODY), 403)).toBe('forbidden');
    expect(refusalCode(await raw('POST', '/api/chat/conversations/import', attack, IMPORT_BODY), 403)).toBe('forbidden');
    // The same with a JSON content type (as a CORS request would carry after a preflight).
    const corsJson = { ...attack, 'sec-fetch-mode': 'cors', 'content-type': 'application/json' };
    expect(refusalCode(await raw('POST', '/api/chat', corsJson, CHAT_BODY), 403)).toBe('forbidden');
    expect({ ids: await conversationIds(), calls: await providerCalls() }).toEqual(before);
  });

  it('a foreign Origin alone is refused, reads included', async () => {
    expect(refusalCode(await raw('GET', '/api/chat/conversations', { origin: ATTACKER }), 403)).toBe('forbidden');
    expect(refusalCode(await raw('GET', '/api/chat/usage', { origin: 'null' }), 403)).toBe('forbidden');
  });

  it('Sec-Fetch-Site: cross-site is refused even without an Origin', async () => {
    const before = await conversationIds();
    expect(refusalCode(await raw('GET', '/api/chat/conversations', { 'sec-fetch-site': 'cross-site' }), 403)).toBe('forbidden');
    expect(refusalCode(await raw('DELETE', `/api/chat/conversations/${before[0] ?? crypto.randomUUID()}`, { 'sec-fetch-site': 'cross-site' }), 403)).toBe('forbidden');
    expect(await conversationIds()).toEqual(before);
  });

  it('a foreign Host (a DNS-rebound name) reads no conversation and starts no turn', async () => {
    const before = { ids: await conversationIds(), calls: await providerCalls() };
    const rebound = { host: `attacker.example:${base.port}`, 'sec-fetch-site': 'same-origin' };
    for (const path of ['/api/chat/conversations', '/api/chat/usage', '/api/chat/config', ...before.ids.slice(0, 1).map((id) => `/api/chat/conversations/${id}`)]) {
      const response = await raw('GET', path, rebound);
      expect(refusalCode(response, 421), path).toBe('forbidden');
      expect(response.text).not.toContain('"conversations"');
    }
    const post = await raw('POST', '/api/chat', { ...rebound, origin: `http://attacker.example:${base.port}`, 'content-type': 'application/json' }, CHAT_BODY);
    expect(refusalCode(post, 421)).toBe('forbidden');
    expect({ ids: await conversationIds(), calls: await providerCalls() }).toEqual(before);
  });

  it('a text/plain body is refused even without Origin or Sec-Fetch-Site: 415, nothing written', async () => {
    const before = { ids: await conversationIds(), calls: await providerCalls() };
    const plain = { 'content-type': 'text/plain' };
    expect(refusalCode(await raw('POST', '/api/chat', plain, CHAT_BODY), 415)).toBe('bad_request');
    expect(refusalCode(await raw('POST', '/api/chat/conversations', plain, '{"title":"x"}'), 415)).toBe('bad_request');
    expect(refusalCode(await raw('POST', '/api/chat/conversations/import', { 'content-type': 'application/x-www-form-urlencoded' }, 'a=b'), 415)).toBe('bad_request');
    expect({ ids: await conversationIds(), calls: await providerCalls() }).toEqual(before);
  });

  it('another site cannot sign the user out; the app’s own sign-out form can', async () => {
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    expect(refusalCode(await raw('POST', '/auth/sign-out', { ...form, origin: ATTACKER, 'sec-fetch-site': 'cross-site' }, ''), 403)).toBe('forbidden');
    const own = await raw('POST', '/auth/sign-out', { ...form, origin: baseUrl, 'sec-fetch-site': 'same-origin' }, '');
    expect(own.status).toBe(303);
  });

  it('the app’s own page works: same-origin JSON creates, renames and deletes a conversation, and chats', async () => {
    const own = { origin: baseUrl, 'sec-fetch-site': 'same-origin', 'content-type': 'application/json' };
    const created = await raw('POST', '/api/chat/conversations', own, JSON.stringify({ title: 'Boundary check' }));
    expect(created.status, created.text).toBe(201);
    const { id } = (JSON.parse(created.text) as { conversation: { id: string } }).conversation;
    const renamed = await raw('PATCH', `/api/chat/conversations/${id}`, own, JSON.stringify({ title: 'Boundary check, renamed' }));
    expect(renamed.status, renamed.text).toBe(200);

    const chat = await raw('POST', '/api/chat', { ...own, accept: 'text/event-stream' }, JSON.stringify({ message: 'Hello through the boundary', conversationId: id }));
    expect(chat.status, chat.text).toBe(200);
    expect(chat.contentType).toContain('text/event-stream');
    expect(chat.text).toContain('"type":"finish"');

    // Loopback under another name is the same machine: allowed by default.
    const viaLocalhost = await raw('GET', `/api/chat/conversations/${id}`, { host: `localhost:${base.port}` });
    expect(viaLocalhost.status).toBe(200);

    const deleted = await raw('DELETE', `/api/chat/conversations/${id}`, { origin: baseUrl, 'sec-fetch-site': 'same-origin' });
    expect(deleted.status).toBe(204);
  });
});

/** The directives of a Content-Security-Policy header, by name. */
function directives(policy: string | string[] | undefined): Map<string, string> {
  const text = Array.isArray(policy) ? policy.join(';') : (policy ?? '');
  return new Map(
    text
      .split(';')
      .map((directive) => directive.trim().split(/\s+/))
      .filter(([name]) => name)
      .map(([name, ...values]) => [name!.toLowerCase(), values.join(' ')]),
  );
}

describe('what the built app tells a browser about framing and sniffing (issue 19, finding 5)', () => {
  it('every page may be framed by the app only, runs scripts of its own origin only, and does not say it is Next.js', async () => {
    const conversation = await raw('POST', '/api/chat/conversations', { origin: baseUrl, 'sec-fetch-site': 'same-origin', 'content-type': 'application/json' }, '{"title":"Framed?"}');
    const { id } = (JSON.parse(conversation.text) as { conversation: { id: string } }).conversation;
    for (const path of ['/', `/c/${id}`, '/sign-in']) {
      const page = await raw('GET', path, { accept: 'text/html' });
      expect(page.status, path).toBeLessThan(400);
      const csp = directives(page.headers['content-security-policy']);
      expect(csp.get('frame-ancestors'), path).toBe("'self'");
      expect(csp.get('script-src'), path).toBe("'self' 'unsafe-inline'");
      expect(csp.get('object-src'), path).toBe("'none'");
      expect(csp.get('base-uri'), path).toBe("'self'");
      expect(page.headers['x-frame-options'], path).toBe('SAMEORIGIN');
      expect(page.headers['x-content-type-options'], path).toBe('nosniff');
      expect(page.headers['x-powered-by'], path).toBeUndefined();
    }
  });

  it('API answers, refusals and streams included, are never sniffed, framed or run as a page', async () => {
    const own = { origin: baseUrl, 'sec-fetch-site': 'same-origin', 'content-type': 'application/json' };
    const responses = {
      list: await raw('GET', '/api/chat/conversations', { 'sec-fetch-site': 'same-origin' }),
      refusal: await raw('GET', '/api/chat/conversations', { origin: ATTACKER }),
      invalid: await raw('POST', '/api/chat/conversations', own, '{not json'),
      stream: await raw('POST', '/api/chat', { ...own, accept: 'text/event-stream' }, JSON.stringify({ message: 'Headers, please' })),
    };
    for (const [name, response] of Object.entries(responses)) {
      expect(response.status, name).not.toBe(500);
      expect(response.headers['x-content-type-options'], name).toBe('nosniff');
      const csp = directives(response.headers['content-security-policy']);
      expect(csp.get('frame-ancestors'), name).toBe("'none'");
      expect(csp.get('default-src'), name).toBe("'none'");
      expect(response.headers['x-frame-options'], name).toBe('DENY');
      expect(response.headers['x-powered-by'], name).toBeUndefined();
    }
    expect(responses.stream.contentType).toContain('text/event-stream');
  });
});
