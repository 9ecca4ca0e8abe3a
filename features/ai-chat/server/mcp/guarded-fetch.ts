import 'server-only';
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { Readable } from 'node:stream';
import { isPrivateAddress } from './private-address';

/** A network rule an MCP server's request broke: shown to the operator in the log, to the model as a tool error. */
export class McpNetworkError extends Error {
  override name = 'McpNetworkError';
}

export interface NetworkPolicy {
  /** The server's name, for messages. */
  server: string;
  allowPrivateNetwork: boolean;
}

const NULL_BODY_STATUSES = new Set([101, 204, 205, 304]);
/** The most one response may carry: results are cut far smaller for the model, this bounds memory. */
export const MAX_RESPONSE_BYTES = 8 * 1024 * 1024;

/**
 * `fetch` for the MCP client's transports, over node:http: the address is checked where the
 * socket connects (the DNS answer it actually uses, so a name cannot be re-pointed at a private
 * address between check and connect), and a redirect is never followed: it fails the request.
 */
export function createGuardedFetch(policy: NetworkPolicy): (input: string | URL | Request, init?: RequestInit) => Promise<Response> {
  const lookup = guardedLookup(policy);
  return async (input, init = {}) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new McpNetworkError(`MCP server "${policy.server}": only http and https URLs are allowed.`);
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (isIP(host) && !policy.allowPrivateNetwork && isPrivateAddress(host)) throw refusedAddress(policy, host);
    const headers = new Headers(init.headers);
    const body = init.body === undefined || init.body === null ? undefined : typeof init.body === 'string' ? init.body : String(init.body);
    const client = url.protocol === 'https:' ? https : http;
    return new Promise<Response>((resolve, reject) => {
      const request = client.request(
        url,
        { method: init.method ?? 'GET', headers: Object.fromEntries(headers), lookup, signal: init.signal ?? undefined },
        (response) => {
          const status = response.statusCode ?? 500;
          if (status >= 300 && status < 400) {
            response.resume();
            reject(new McpNetworkError(`MCP server "${policy.server}" answered with a redirect (${status}); redirects are not followed.`));
            return;
          }
          const responseHeaders = new Headers();
          for (let i = 0; i + 1 < response.rawHeaders.length; i += 2) responseHeaders.append(response.rawHeaders[i]!, response.rawHeaders[i + 1]!);
          const stream = NULL_BODY_STATUSES.has(status) ? null : capped(Readable.toWeb(response) as ReadableStream<Uint8Array>, policy);
          if (!stream) response.resume();
          resolve(new Response(stream, { status, statusText: response.statusMessage, headers: responseHeaders }));
        },
      );
      request.on('error', reject);
      request.end(body);
    });
  };
}

/** The body, failing once it passes MAX_RESPONSE_BYTES (a hostile server cannot fill the memory). */
function capped(body: ReadableStream<Uint8Array>, policy: NetworkPolicy): ReadableStream<Uint8Array> {
  let bytes = 0;
  return body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        bytes += chunk.byteLength;
        if (bytes > MAX_RESPONSE_BYTES) controller.error(new McpNetworkError(`MCP server "${policy.server}" sent more than ${MAX_RESPONSE_BYTES} bytes in one response.`));
        else controller.enqueue(chunk);
      },
    }),
  );
}

function guardedLookup(policy: NetworkPolicy): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
      if (error) return callback(error, '', 4);
      const refused = policy.allowPrivateNetwork ? undefined : addresses.find((entry) => isPrivateAddress(entry.address));
      if (refused) return callback(refusedAddress(policy, refused.address, hostname), '', 4);
      if (options.all) return (callback as unknown as (error: null, addresses: LookupAddress[]) => void)(null, addresses);
      callback(null, addresses[0]!.address, addresses[0]!.family);
    });
  };
}

function refusedAddress(policy: NetworkPolicy, address: string, hostname?: string): McpNetworkError {
  const name = hostname ? `${hostname} (${address})` : address;
  return new McpNetworkError(
    `MCP server "${policy.server}": ${name} is a private, loopback or link-local address; set "allowPrivateNetwork": true for it to be reached.`,
  );
}
