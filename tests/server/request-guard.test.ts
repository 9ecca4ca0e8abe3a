import { describe, expect, it } from 'vitest';
import { errorResponse } from '@/features/ai-chat/server/http/http';
import {
  assertAllowedCaller,
  assertAllowedRequest,
  requestGuardOptionsFromEnv,
  resolveRequestGuard,
  type RequestGuardOptions,
} from '@/features/ai-chat/server/http/request-guard';
import { parseChatEnv } from '@/features/ai-chat/config/env';

const SUPABASE_ENV = {
  NEXT_PUBLIC_SUPABASE_URL: 'https://project.supabase.co',
  NEXT_PUBLIC_SUPABASE_ANON_KEY: 'anon',
  SUPABASE_SERVICE_ROLE_KEY: 'service',
};

function request(headers: Record<string, string> = {}, init: { method?: string; url?: string; body?: string } = {}): Request {
  const method = init.method ?? 'GET';
  return new Request(init.url ?? 'http://localhost/api/chat/conversations', {
    method,
    headers,
    body: init.body ?? (method === 'GET' || method === 'DELETE' ? undefined : '{}'),
  });
}

/** The refusal as the client would see it (status and JSON body), or null when the request passes. */
async function verdict(req: Request, options?: RequestGuardOptions): Promise<{ status: number; code: string; message: string } | null> {
  try {
    assertAllowedRequest(req, resolveRequestGuard(options));
    return null;
  } catch (error) {
    const response = errorResponse(error);
    const body = (await response.json()) as { error: { code: string; message: string } };
    return { status: response.status, ...body.error };
  }
}

const JSON_TYPE = { 'content-type': 'application/json' };

describe('the request guard: hosts', () => {
  it('lets a request built in code through: no Host header, no Origin, a loopback URL', async () => {
    expect(await verdict(request())).toBeNull();
    expect(await verdict(request(JSON_TYPE, { method: 'POST' }))).toBeNull();
  });

  it.each(['localhost', 'localhost:3000', '127.0.0.1', '127.0.0.1:41234', '[::1]', '[::1]:3000', 'LOCALHOST:3000', 'localhost.:3000'])(
    'answers the loopback host %s by default',
    async (host) => {
      expect(await verdict(request({ host }))).toBeNull();
    },
  );

  it.each(['attacker.example', 'attacker.example:3000', '192.168.1.20:3000', 'localhost.attacker.example', '127.0.0.1.nip.io'])(
    'refuses the foreign host %s by default, as a DNS-rebound page would send it',
    async (host) => {
      const refused = await verdict(request({ host }));
      expect(refused).toMatchObject({ status: 421, code: 'forbidden' });
      expect(refused!.message).toContain('AI_CHAT_ALLOWED_HOSTS');
    },
  );

  it('refuses a Host that is not a host name at all', async () => {
    for (const host of ['user@localhost', 'localhost/evil', 'local host', '*.example.com']) {
      expect(await verdict(request({ host }))).toMatchObject({ status: 421, code: 'forbidden' });
    }
  });

  it('answers the listed hosts: exact names on any port, a named port, subdomains of a wildcard but not its apex', async () => {
    const options = { allowedHosts: ['chat.example.com', 'api.example.org:8443', '*.example.net'] };
    expect(await verdict(request({ host: 'chat.example.com' }), options)).toBeNull();
    expect(await verdict(request({ host: 'chat.example.com:3000' }), options)).toBeNull();
    expect(await verdict(request({ host: 'api.example.org:8443' }), options)).toBeNull();
    expect(await verdict(request({ host: 'api.example.org:9000' }), options)).toMatchObject({ status: 421 });
    expect(await verdict(request({ host: 'eu.example.net' }), options)).toBeNull();
    expect(await verdict(request({ host: 'example.net' }), options)).toMatchObject({ status: 421 });
    expect(await verdict(request({ host: 'evil-example.net' }), options)).toMatchObject({ status: 421 });
    expect(await verdict(request({ host: 'chat.example.com.attacker.example' }), options)).toMatchObject({ status: 421 });
    // Loopback stays allowed next to a list: health checks and the server's own tools use it.
    expect(await verdict(request({ host: '127.0.0.1:3000' }), options)).toBeNull();
  });

  it('answers any host with "*"', async () => {
    expect(await verdict(request({ host: 'anything.example' }), { allowedHosts: '*' })).toBeNull();
    expect(await verdict(request({ host: 'anything.example' }), { allowedHosts: ['*'] })).toBeNull();
  });

  it('ignores X-Forwarded-Host unless told to trust it', async () => {
    expect(await verdict(request({ host: 'attacker.example', 'x-forwarded-host': 'localhost' }))).toMatchObject({ status: 421 });
    const trusted = { trustForwardedHost: true, allowedHosts: ['chat.example.com'] };
    expect(await verdict(request({ host: '127.0.0.1:3000', 'x-forwarded-host': 'chat.example.com' }), trusted)).toBeNull();
    expect(await verdict(request({ host: '127.0.0.1:3000', 'x-forwarded-host': 'attacker.example' }), trusted)).toMatchObject({ status: 421 });
    // Behind the proxy, the browser's Origin is the public host, which is now the request's own.
    const fromPage = request({ host: '127.0.0.1:3000', 'x-forwarded-host': 'chat.example.com', origin: 'https://chat.example.com', 'sec-fetch-site': 'same-origin' });
    expect(await verdict(fromPage, trusted)).toBeNull();
  });

  it('refuses an entry that can never match when the handler is built, naming it', () => {
    expect(() => resolveRequestGuard({ allowedHosts: ['https://chat.example.com'] })).toThrow(/https:\/\/chat\.example\.com/);
    expect(() => resolveRequestGuard({ allowedOrigins: ['chat.example.com'] })).toThrow(/allowedOrigins/);
    expect(() => resolveRequestGuard({ allowedOrigins: ['https://app.example.com/path'] })).toThrow(/allowedOrigins/);
  });
});

describe('the request guard: origins', () => {
  it('accepts a page of the same host and port, whatever the scheme a proxy terminated', async () => {
    expect(await verdict(request({ host: 'localhost:3000', origin: 'http://localhost:3000', 'sec-fetch-site': 'same-origin' }))).toBeNull();
    const behindTls = request({ host: 'chat.example.com', origin: 'https://chat.example.com' });
    expect(await verdict(behindTls, { allowedHosts: ['chat.example.com'] })).toBeNull();
  });

  it.each([
    ['another site', 'https://attacker.example'],
    ['another port of the same host', 'http://localhost:4000'],
    ['an opaque origin (sandboxed frame, file://)', 'null'],
    ['something that is not an origin', 'javascript:alert(1)'],
  ])('refuses an Origin of %s with 403 forbidden', async (_, origin) => {
    const refused = await verdict(request({ host: 'localhost:3000', origin }));
    expect(refused).toMatchObject({ status: 403, code: 'forbidden' });
  });

  it.each(['cross-site', 'same-site', 'something-new'])('refuses Sec-Fetch-Site: %s even without an Origin (a navigation)', async (site) => {
    expect(await verdict(request({ host: 'localhost:3000', 'sec-fetch-site': site }))).toMatchObject({ status: 403, code: 'forbidden' });
  });

  it.each(['same-origin', 'none'])('accepts Sec-Fetch-Site: %s', async (site) => {
    expect(await verdict(request({ host: 'localhost:3000', 'sec-fetch-site': site }))).toBeNull();
  });

  it('accepts an allowed origin, cross-site or same-site, and only that one', async () => {
    const options = { allowedHosts: ['chat.example.com'], allowedOrigins: ['https://app.example.com/'] };
    const from = (origin: string, site: string) => request({ host: 'chat.example.com', origin, 'sec-fetch-site': site });
    expect(await verdict(from('https://app.example.com', 'same-site'), options)).toBeNull();
    expect(await verdict(from('https://app.example.com', 'cross-site'), options)).toBeNull();
    expect(await verdict(from('http://app.example.com', 'same-site'), options)).toMatchObject({ status: 403 });
    expect(await verdict(from('https://www.example.com', 'same-site'), options)).toMatchObject({ status: 403 });
  });

  it('applies the origin check without the body check for a form route (sign-out)', () => {
    const guard = resolveRequestGuard();
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    expect(() => assertAllowedCaller(request({ ...form, origin: 'http://localhost' }, { method: 'POST', body: '' }), guard)).not.toThrow();
    expect(() => assertAllowedCaller(request({ ...form, origin: 'https://attacker.example' }, { method: 'POST', body: '' }), guard)).toThrow(
      expect.objectContaining({ status: 403 }),
    );
  });
});

describe('the request guard: bodies', () => {
  it.each([
    ['text/plain (what a cross-site fetch sends without a preflight)', 'text/plain;charset=UTF-8'],
    ['a form', 'application/x-www-form-urlencoded'],
    ['multipart', 'multipart/form-data; boundary=x'],
    ['a JSON look-alike', 'application/json-patch+json'],
  ])('refuses a POST of %s with 415 and the JSON error', async (_, type) => {
    expect(await verdict(request({ 'content-type': type }, { method: 'POST' }))).toEqual({
      status: 415,
      code: 'bad_request',
      message: 'Send the body as JSON, with the header Content-Type: application/json.',
    });
  });

  it('refuses a PATCH or POST without any content type', async () => {
    const noType = new Request('http://localhost/api/chat/conversations/x', { method: 'PATCH', body: new Uint8Array([123, 125]) });
    expect(noType.headers.get('content-type')).toBeNull();
    expect(await verdict(noType)).toMatchObject({ status: 415 });
  });

  it('accepts application/json with parameters and in any case; GET and DELETE need none', async () => {
    expect(await verdict(request({ 'content-type': 'application/json; charset=utf-8' }, { method: 'POST' }))).toBeNull();
    expect(await verdict(request({ 'content-type': 'Application/JSON' }, { method: 'PATCH' }))).toBeNull();
    expect(await verdict(request({}, { method: 'DELETE' }))).toBeNull();
  });
});

describe('the request guard from the environment', () => {
  const guardFor = (source: Record<string, string>) => resolveRequestGuard(requestGuardOptionsFromEnv(parseChatEnv(source)));

  it('answers loopback only with the embedded store (no sign-in), any host with Supabase (host-bound session cookies)', () => {
    expect(guardFor({})).toEqual({ allowedHosts: [], allowedOrigins: [], trustForwardedHost: false });
    expect(guardFor(SUPABASE_ENV).allowedHosts).toBe('*');
  });

  it('takes AI_CHAT_ALLOWED_HOSTS, AI_CHAT_ALLOWED_ORIGINS and AI_CHAT_TRUST_FORWARDED_HOST, for either store', () => {
    const listed = {
      AI_CHAT_ALLOWED_HOSTS: 'chat.example.com, *.example.com,',
      AI_CHAT_ALLOWED_ORIGINS: 'https://app.example.com',
      AI_CHAT_TRUST_FORWARDED_HOST: 'on',
    };
    const expected = { allowedHosts: ['chat.example.com', '*.example.com'], allowedOrigins: ['https://app.example.com'], trustForwardedHost: true };
    expect(guardFor(listed)).toEqual(expected);
    expect(guardFor({ ...SUPABASE_ENV, ...listed })).toEqual(expected);
  });

  it.each([
    ['AI_CHAT_ALLOWED_HOSTS', 'https://chat.example.com'],
    ['AI_CHAT_ALLOWED_ORIGINS', 'chat.example.com'],
    ['AI_CHAT_ALLOWED_ORIGINS', 'https://app.example.com/chat'],
    ['AI_CHAT_TRUST_FORWARDED_HOST', 'yes'],
  ])('refuses a bad %s at start, naming it', (variable, value) => {
    expect(() => parseChatEnv({ [variable]: value })).toThrow(expect.objectContaining({ code: 'not_configured', message: expect.stringContaining(variable) }));
  });
});
