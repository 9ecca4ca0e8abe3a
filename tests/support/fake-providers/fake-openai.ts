import { startLoopbackProvider, type FakeProviderOptions, type FakeProviderServer, type WireFormat } from './loopback-server';
import { randomId, splitInto, textChunks, type FakeReply, type Frame } from './script';

/** The last user message's text, for the default echo reply. */
function lastUserText(body: Record<string, unknown>): string {
  const messages = Array.isArray(body.messages) ? (body.messages as Array<{ role?: string; content?: unknown }>) : [];
  const last = [...messages].reverse().find((message) => message.role === 'user');
  if (typeof last?.content === 'string') return last.content;
  if (Array.isArray(last?.content)) {
    return last.content.map((part: { text?: unknown }) => (typeof part.text === 'string' ? part.text : '')).join('');
  }
  return '';
}

const ERROR_DEFAULTS: Record<number, { type: string; code: string | null; message: (key: string) => string }> = {
  400: { type: 'invalid_request_error', code: null, message: () => 'Invalid request.' },
  401: {
    type: 'invalid_request_error',
    code: 'invalid_api_key',
    // The real API quotes (part of) the key it refused; the fake quotes all of it, so a test can
    // prove the key never reaches a user-facing message.
    message: (key) => `Incorrect API key provided: ${key}. You can find your API key at https://platform.openai.com/account/api-keys.`,
  },
  403: { type: 'invalid_request_error', code: 'unsupported_country_region_territory', message: () => 'Country, region, or territory not supported' },
  429: {
    type: 'requests',
    code: 'rate_limit_exceeded',
    message: () => 'Rate limit reached for gpt-test in organization org-fake on requests per min (RPM): Limit 3, Used 3, Requested 1.',
  },
  500: { type: 'server_error', code: null, message: () => 'The server had an error while processing your request. Sorry about that!' },
  503: { type: 'server_error', code: null, message: () => 'The engine is currently overloaded, please try again later' },
};

function usageOf(reply: FakeReply) {
  const prompt = reply.usage?.promptTokens ?? 10;
  const completion = reply.usage?.completionTokens ?? 5;
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    prompt_tokens_details: { cached_tokens: reply.usage?.cachedPromptTokens ?? 0, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
  };
}

function toolCallsOf(reply: FakeReply) {
  return (reply.toolCalls ?? []).map((call) => ({ ...call, id: call.id ?? randomId('call_') }));
}

function finishReasonOf(reply: FakeReply): string {
  return reply.finishReason ?? ((reply.toolCalls ?? []).length > 0 ? 'tool_calls' : 'stop');
}

function textOf(reply: FakeReply, body: Record<string, unknown>): string {
  return reply.text ?? (reply.toolCalls?.length ? '' : `Echo: ${lastUserText(body)}`);
}

const openAIFormat: WireFormat = {
  path: '/v1/chat/completions',

  defaultReply: (body) => ({ text: `Echo: ${lastUserText(body)}` }),

  errorBody(reply, request) {
    const error = reply.httpError!;
    const defaults = ERROR_DEFAULTS[error.status] ?? ERROR_DEFAULTS[error.status >= 500 ? 500 : 400]!;
    const headers: Record<string, string> = { 'x-request-id': randomId('req_'), ...error.headers };
    if (error.retryAfter !== undefined) headers['retry-after'] = error.retryAfter;
    if (error.retryAfterMs !== undefined) headers['retry-after-ms'] = error.retryAfterMs;
    return {
      status: error.status,
      headers,
      body: {
        error: {
          message: error.message ?? defaults.message(request.apiKey ?? ''),
          type: error.type ?? defaults.type,
          param: null,
          code: error.code === undefined ? defaults.code : error.code,
        },
      },
    };
  },

  completionBody(reply, body) {
    const text = textOf(reply, body);
    const toolCalls = toolCallsOf(reply);
    return {
      id: randomId('chatcmpl-'),
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: String(body.model ?? 'gpt-test'),
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: text === '' && toolCalls.length > 0 ? null : text,
            refusal: null,
            annotations: [],
            ...(toolCalls.length === 0 ? {} : {
              tool_calls: toolCalls.map((call) => ({
                id: call.id,
                type: 'function',
                function: { name: call.name, arguments: JSON.stringify(call.args) },
              })),
            }),
          },
          logprobs: null,
          finish_reason: finishReasonOf(reply),
        },
      ],
      usage: usageOf(reply),
      service_tier: 'default',
      system_fingerprint: 'fp_fake',
    };
  },

  streamFrames(reply, body) {
    const id = randomId('chatcmpl-');
    const created = Math.floor(Date.now() / 1000);
    const model = String(body.model ?? 'gpt-test');
    const includeUsage = (body.stream_options as { include_usage?: boolean } | undefined)?.include_usage === true;
    const chunk = (choices: unknown[], usage: unknown = null) =>
      `data: ${JSON.stringify({
        id, object: 'chat.completion.chunk', created, model, service_tier: 'default', system_fingerprint: 'fp_fake', choices,
        ...(includeUsage ? { usage } : {}),
      })}\n\n`;
    const delta = (value: unknown, finish: string | null = null) => chunk([{ index: 0, delta: value, logprobs: null, finish_reason: finish }]);

    const frames: Frame[] = [{ text: delta({ role: 'assistant', content: '', refusal: null }), content: false }];
    for (const piece of textChunks(textOf(reply, body), reply.chunks)) {
      frames.push({ text: delta({ content: piece }), content: true });
    }
    toolCallsOf(reply).forEach((call, index) => {
      frames.push({
        text: delta({ tool_calls: [{ index, id: call.id, type: 'function', function: { name: call.name, arguments: '' } }] }),
        content: true,
      });
      for (const part of splitInto(JSON.stringify(call.args), call.argChunks ?? 3)) {
        frames.push({ text: delta({ tool_calls: [{ index, function: { arguments: part } }] }), content: true });
      }
    });
    frames.push({ text: delta({}, finishReasonOf(reply)), content: false });
    if (includeUsage) frames.push({ text: chunk([], usageOf(reply)), content: false });
    frames.push({ text: 'data: [DONE]\n\n', content: false });
    return frames;
  },

  streamErrorFrame(error) {
    return `data: ${JSON.stringify({ error: { message: error.message ?? 'The server had an error while processing your request.', type: error.type, param: null, code: null } })}\n\n`;
  },

  notFoundBody: (path) => ({
    error: { message: `Invalid URL (POST ${path})`, type: 'invalid_request_error', param: null, code: null },
  }),

  extraRoutes: {
    '/v1/moderations': moderationBody,
  },
};

/** Text containing this is flagged by the fake moderation endpoint (category `violence`). */
export const FLAGGED_MARKER = '[flag-me]';

/** The Moderations API's answer: one result per input, flagged when it carries the marker. */
function moderationBody(body: Record<string, unknown>): unknown {
  const inputs = Array.isArray(body.input) ? body.input : [body.input];
  return {
    id: randomId('modr-'),
    model: typeof body.model === 'string' ? body.model : 'omni-moderation-latest',
    results: inputs.map((input) => {
      const flagged = JSON.stringify(input).includes(FLAGGED_MARKER);
      return {
        flagged,
        categories: { violence: flagged, harassment: false, hate: false, sexual: false, 'self-harm': false },
        category_scores: { violence: flagged ? 0.98 : 0.001, harassment: 0.001, hate: 0.001, sexual: 0.001, 'self-harm': 0.001 },
        category_applied_input_types: { violence: ['text'], harassment: ['text'], hate: ['text'], sexual: ['text'], 'self-harm': ['text'] },
      };
    }),
  };
}

/** A loopback server speaking the OpenAI Chat Completions wire format. Pass `url` as `baseURL`. */
export function startFakeOpenAI(options?: FakeProviderOptions): Promise<FakeProviderServer> {
  return startLoopbackProvider(openAIFormat, '/v1', options);
}
