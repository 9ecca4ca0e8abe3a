import 'server-only';
import { HOST_ENTRY_PATTERN, type ResolvedChatEnv } from '../../config/env';
import { ChatError, type ChatErrorCode } from '../../protocol/errors';

/**
 * Who may call the module's routes. A browser lets any website send a "simple" request (a form,
 * or `fetch` with a `text/plain` body: no CORS preflight) to any server it can reach, with that
 * server's cookies, and DNS rebinding lets a website's own name point at 127.0.0.1. So every
 * request is checked here, before the session is even read:
 *
 * - the `Host` it was sent to must be one this server answers for (loopback by default): a
 *   rebound name arrives with the attacker's host;
 * - an `Origin` must be the request's own (same host) or one the operator allows, and
 *   `Sec-Fetch-Site` must not say `cross-site` or `same-site` unless its origin is allowed;
 * - a POST or PATCH (the routes' only verbs with a body) must be `application/json`, which no
 *   website can send to another site without a preflight that this server never approves. The
 *   one exception is a file upload (`POST <base>/attachments`, multipart/form-data, which any
 *   form can send cross-site): there the Origin and Sec-Fetch-Site checks are what refuse it.
 *
 * Requests with neither `Origin` nor `Sec-Fetch-Site` (curl, server-to-server, tests) pass the
 * origin check: only browsers send those headers, and only browsers carry a victim's cookies.
 */
export interface RequestGuardOptions {
  /**
   * Host names the routes answer for, besides loopback (`localhost`, `127.0.0.1`, `[::1]`, which
   * are always allowed): `chat.example.com` (any port), `chat.example.com:8443`, `*.example.com`
   * (any subdomain, not the apex itself), or `'*'` for any host. Default: loopback only.
   */
  allowedHosts?: readonly string[] | '*';
  /**
   * Origins of other sites whose pages may call the routes, e.g. `https://app.example.com`
   * (allowed even when the browser calls them `same-site` or `cross-site`). Default: none.
   */
  allowedOrigins?: readonly string[];
  /**
   * Take the host from the first `X-Forwarded-Host` value instead of `Host`, for a proxy that
   * rewrites `Host` and passes the original on. Only behind such a proxy. Default false.
   */
  trustForwardedHost?: boolean;
}

/** The options with defaults applied and every entry normalised, once. */
export type ResolvedRequestGuard = Required<RequestGuardOptions>;

/** A refused request: a ChatError whose HTTP status is the one the refusal calls for (415, 421). */
export class RequestRefusedError extends ChatError {
  override readonly status: number;

  constructor(status: 403 | 415 | 421, code: ChatErrorCode, message: string) {
    super(code, message);
    this.status = status;
  }
}

const LOOPBACK_HOSTNAMES = new Set(['localhost', '127.0.0.1', '[::1]']);
// The verbs the routes take a body with; any other verb answers 405 further on.
const BODY_METHODS = new Set(['POST', 'PATCH']);

/** Applies the defaults; throws on an entry that could never match, so a typo fails at start. */
export function resolveRequestGuard(options: RequestGuardOptions = {}): ResolvedRequestGuard {
  const hosts = options.allowedHosts ?? [];
  let allowedHosts: readonly string[] | '*' = '*';
  if (hosts !== '*' && !hosts.includes('*')) {
    allowedHosts = hosts.map((entry) => {
      const trimmed = entry.trim().toLowerCase();
      if (!HOST_ENTRY_PATTERN.test(trimmed)) {
        throw new ChatError('not_configured', `allowedHosts: "${entry}" is not a host name (e.g. chat.example.com, *.example.com, host:8443).`);
      }
      return trimmed.replace(/\.(?=:|$)/, '');
    });
  }
  const allowedOrigins = (options.allowedOrigins ?? []).map((entry) => {
    const origin = originOf(entry.trim());
    if (!origin) throw new ChatError('not_configured', `allowedOrigins: "${entry}" is not an origin (e.g. https://app.example.com).`);
    return origin;
  });
  return { allowedHosts, allowedOrigins, trustForwardedHost: options.trustForwardedHost ?? false };
}

/**
 * Throws a RequestRefusedError unless the request was sent to an allowed host, from its own
 * origin (or an allowed one) and, when it has a body, with a JSON content type.
 */
export function assertAllowedRequest(request: Request, guard: ResolvedRequestGuard, { allowMultipart = false } = {}): void {
  assertAllowedCaller(request, guard);
  if (allowMultipart && mediaTypeOf(request) === 'multipart/form-data') return;
  assertJsonBody(request);
}

/** Whether the request is a file upload, the one route that takes multipart/form-data. */
export function isAttachmentUpload(request: Request, basePath: string): boolean {
  if (request.method.toUpperCase() !== 'POST') return false;
  const path = new URL(request.url).pathname.replace(/\/+$/, '');
  return path === `${basePath}/attachments`;
}

function mediaTypeOf(request: Request): string | undefined {
  return request.headers.get('content-type')?.split(';', 1)[0]!.trim().toLowerCase();
}

/** The host and origin checks alone: for routes whose body is a form (sign-out). */
export function assertAllowedCaller(request: Request, guard: ResolvedRequestGuard): void {
  const host = requestHost(request, guard);
  if (!host || !hostAllowed(host, guard)) {
    throw new RequestRefusedError(
      421,
      'forbidden',
      `This server does not answer for the host "${host?.host ?? 'unknown'}". ` +
        'Add it to AI_CHAT_ALLOWED_HOSTS (or allowedHosts) if it is yours.',
    );
  }

  const originHeader = request.headers.get('origin');
  const allowedOrigin = originHeader !== null && guard.allowedOrigins.includes(originOf(originHeader) ?? '');
  if (originHeader !== null && !allowedOrigin && !sameHost(originHeader, host)) {
    throw crossSite(`Requests from ${originOf(originHeader) ?? 'an opaque or malformed origin'} are not accepted.`);
  }

  const site = request.headers.get('sec-fetch-site')?.trim().toLowerCase();
  if (site !== undefined && site !== 'same-origin' && site !== 'none' && !allowedOrigin) {
    throw crossSite(`A ${site} request is not accepted.`);
  }
}

/** POST and PATCH must declare `application/json`: a website cannot send that cross-site without a preflight. */
export function assertJsonBody(request: Request): void {
  if (!BODY_METHODS.has(request.method.toUpperCase())) return;
  if (mediaTypeOf(request) !== 'application/json') {
    throw new RequestRefusedError(415, 'bad_request', 'Send the body as JSON, with the header Content-Type: application/json.');
  }
}

/**
 * The options the environment describes. Without AI_CHAT_ALLOWED_HOSTS the embedded store answers
 * loopback only: it has no sign-in, so a rebound name must get nothing. The Supabase store answers
 * any host: its session cookies belong to the deployment's own host, so a page on another name
 * arrives without one and gets 401, and the Origin check still applies.
 */
export function requestGuardOptionsFromEnv(env: ResolvedChatEnv): RequestGuardOptions {
  return {
    allowedHosts: env.AI_CHAT_ALLOWED_HOSTS ?? (env.store === 'supabase' ? '*' : []),
    allowedOrigins: env.AI_CHAT_ALLOWED_ORIGINS ?? [],
    trustForwardedHost: env.AI_CHAT_TRUST_FORWARDED_HOST === 'on',
  };
}

interface ParsedHost {
  /** As sent, lower-cased: `example.com:8443`. */
  host: string;
  /** `example.com`, `127.0.0.1`, `[::1]`. */
  hostname: string;
  /** '' when the default port. */
  port: string;
}

function requestHost(request: Request, guard: ResolvedRequestGuard): ParsedHost | null {
  const forwarded = guard.trustForwardedHost ? request.headers.get('x-forwarded-host')?.split(',', 1)[0]!.trim() : undefined;
  // A Request built in code (tests, server-to-server) has no Host header: its URL says where it goes.
  const raw = forwarded || request.headers.get('host') || new URL(request.url).host;
  return parseHost(raw);
}

function parseHost(raw: string): ParsedHost | null {
  const host = raw.trim().toLowerCase();
  if (!HOST_ENTRY_PATTERN.test(host) || host.startsWith('*')) return null;
  try {
    const url = new URL(`http://${host}`);
    // The URL parser keeps a trailing dot (`localhost.`); it names the same host.
    const hostname = url.hostname.replace(/\.$/, '');
    return { host, hostname, port: url.port === '80' ? '' : url.port };
  } catch {
    return null;
  }
}

function hostAllowed(host: ParsedHost, guard: ResolvedRequestGuard): boolean {
  if (guard.allowedHosts === '*' || LOOPBACK_HOSTNAMES.has(host.hostname)) return true;
  return guard.allowedHosts.some((entry) => {
    const [pattern, port] = splitPort(entry);
    // A Host without a port was sent to the scheme's default one, 80 or 443.
    if (port !== undefined && port !== host.port && !(host.port === '' && (port === '80' || port === '443'))) return false;
    return pattern.startsWith('*.') ? host.hostname.endsWith(pattern.slice(1)) : host.hostname === pattern;
  });
}

function splitPort(entry: string): [string, string | undefined] {
  const match = /^(.*?)(?::(\d+))?$/.exec(entry)!;
  return [match[1]!, match[2]];
}

/**
 * Whether an Origin names the host the request was sent to. The scheme is not compared: behind a
 * TLS-terminating proxy the server sees http while the page is https, and a page on the same host
 * and port is this site's own.
 */
function sameHost(originHeader: string, host: ParsedHost): boolean {
  const origin = originOf(originHeader);
  if (!origin) return false;
  const url = new URL(origin);
  const defaultPort = url.protocol === 'https:' ? '443' : '80';
  return url.hostname === host.hostname && (url.port || defaultPort) === (host.port || defaultPort);
}

/** `scheme://host[:port]` for an http(s) origin, or null for anything else (`null`, a path, garbage). */
function originOf(value: string): string | null {
  try {
    const url = new URL(value);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
    if (url.pathname !== '/' || url.search || url.hash || url.username || url.password) return null;
    return url.origin;
  } catch {
    return null;
  }
}

function crossSite(detail: string): RequestRefusedError {
  return new RequestRefusedError(403, 'forbidden', `${detail} This API answers only pages of its own site.`);
}
