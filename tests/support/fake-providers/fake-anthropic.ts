import { startLoopbackProvider, type FakeProviderOptions, type FakeProviderServer, type WireFormat } from './loopback-server';
import { randomId, splitInto, textChunks, type FakeReply, type Frame } from './script';

function lastUserText(body: Record<string, unknown>): string {
  const messages = Array.isArray(body.messages) ? (body.messages as Array<{ role?: string; content?: unknown }>) : [];
  const last = [...messages].reverse().find((message) => message.role === 'user');
  if (typeof last?.content === 'string') return last.content;
  if (Array.isArray(last?.content)) {
    return last.content
      .map((block: { type?: unknown; text?: unknown }) => (block.type === 'text' && typeof block.text === 'string' ? block.text : ''))
      .join('');
  }
  return '';
}

const ERROR_DEFAULTS: Record<number, { type: string; message: string }> = {
  400: { type: 'invalid_request_error', message: 'Invalid request.' },
  401: { type: 'authentication_error', message: 'invalid x-api-key' },
  403: { type: 'permission_error', message: 'Your API key does not have permission to use the specified resource.' },
  404: { type: 'not_found_error', message: 'Not found.' },
  413: { type: 'request_too_large', message: 'Request exceeds the maximum allowed number of bytes.' },
  429: { type: 'rate_limit_error', message: 'Number of request tokens has exceeded your per-minute rate limit.' },
  500: { type: 'api_error', message: 'Internal server error' },
  529: { type: 'overloaded_error', message: 'Overloaded' },
};

/** Anthropic's input_tokens leaves out cache reads; the script's promptTokens includes them. */
function usageOf(reply: FakeReply) {
  const cached = reply.usage?.cachedPromptTokens ?? 0;
  return {
    input_tokens: (reply.usage?.promptTokens ?? 10) - cached,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: cached,
    output_tokens: reply.usage?.completionTokens ?? 5,
    service_tier: 'standard',
  };
}

function stopReasonOf(reply: FakeReply): string {
  return reply.finishReason ?? ((reply.toolCalls ?? []).length > 0 ? 'tool_use' : 'end_turn');
}

function textOf(reply: FakeReply, body: Record<string, unknown>): string {
  return reply.text ?? (reply.toolCalls?.length ? '' : `Echo: ${lastUserText(body)}`);
}

function toolCallsOf(reply: FakeReply) {
  return (reply.toolCalls ?? []).map((call) => ({ ...call, id: call.id ?? randomId('toolu_') }));
}

const sse = (type: string, data: unknown) => `event: ${type}\ndata: ${JSON.stringify(data)}\n\n`;

const anthropicFormat: WireFormat = {
  path: '/v1/messages',

  defaultReply: (body) => ({ text: `Echo: ${lastUserText(body)}` }),

  errorBody(reply) {
    const error = reply.httpError!;
    const defaults = ERROR_DEFAULTS[error.status] ?? ERROR_DEFAULTS[error.status >= 500 ? 500 : 400]!;
    const requestId = randomId('req_');
    const headers: Record<string, string> = { 'request-id': requestId, ...error.headers };
    if (error.retryAfter !== undefined) headers['retry-after'] = error.retryAfter;
    if (error.retryAfterMs !== undefined) headers['retry-after-ms'] = error.retryAfterMs;
    return {
      status: error.status,
      headers,
      body: { type: 'error', error: { type: error.type ?? defaults.type, message: error.message ?? defaults.message }, request_id: requestId },
    };
  },

  completionBody(reply, body) {
    const text = textOf(reply, body);
    return {
      id: randomId('msg_'),
      type: 'message',
      role: 'assistant',
      model: String(body.model ?? 'claude-test'),
      content: [
        ...(text === '' ? [] : [{ type: 'text', text }]),
        ...toolCallsOf(reply).map((call) => ({ type: 'tool_use', id: call.id, name: call.name, input: call.args })),
      ],
      stop_reason: stopReasonOf(reply),
      stop_sequence: null,
      usage: usageOf(reply),
    };
  },

  streamFrames(reply, body) {
    const usage = usageOf(reply);
    const frames: Frame[] = [
      {
        text: sse('message_start', {
          type: 'message_start',
          message: {
            id: randomId('msg_'), type: 'message', role: 'assistant', model: String(body.model ?? 'claude-test'),
            content: [], stop_reason: null, stop_sequence: null,
            usage: { ...usage, output_tokens: 1 },
          },
        }),
        content: false,
      },
    ];
    let index = 0;
    const text = textOf(reply, body);
    if (text !== '') {
      frames.push({ text: sse('content_block_start', { type: 'content_block_start', index, content_block: { type: 'text', text: '' } }), content: false });
      frames.push({ text: sse('ping', { type: 'ping' }), content: false });
      for (const piece of textChunks(text, reply.chunks)) {
        frames.push({ text: sse('content_block_delta', { type: 'content_block_delta', index, delta: { type: 'text_delta', text: piece } }), content: true });
      }
      frames.push({ text: sse('content_block_stop', { type: 'content_block_stop', index }), content: false });
      index += 1;
    }
    for (const call of toolCallsOf(reply)) {
      frames.push({
        text: sse('content_block_start', { type: 'content_block_start', index, content_block: { type: 'tool_use', id: call.id, name: call.name, input: {} } }),
        content: false,
      });
      frames.push({ text: sse('content_block_delta', { type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: '' } }), content: true });
      for (const part of splitInto(JSON.stringify(call.args), call.argChunks ?? 3)) {
        frames.push({ text: sse('content_block_delta', { type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: part } }), content: true });
      }
      frames.push({ text: sse('content_block_stop', { type: 'content_block_stop', index }), content: false });
      index += 1;
    }
    frames.push({
      text: sse('message_delta', {
        type: 'message_delta',
        delta: { stop_reason: stopReasonOf(reply), stop_sequence: null },
        usage: { output_tokens: usage.output_tokens },
      }),
      content: false,
    });
    frames.push({ text: sse('message_stop', { type: 'message_stop' }), content: false });
    return frames;
  },

  streamErrorFrame(error) {
    return sse('error', { type: 'error', error: { type: error.type, message: error.message ?? 'Overloaded' } });
  },

  notFoundBody: () => ({ type: 'error', error: { type: 'not_found_error', message: 'Not found' } }),
};

/** A loopback server speaking the Anthropic Messages wire format. Pass `url` as `baseURL`. */
export function startFakeAnthropic(options?: FakeProviderOptions): Promise<FakeProviderServer> {
  return startLoopbackProvider(anthropicFormat, '', options);
}
