import { anthropicPromptTokens, blocksOf, createPromptCache, messagesOf, words } from './fake-anthropic-cache';
import { planOf, redactedDataOf, REFUSAL_TEXT, signatureOf, type Plan } from './fake-anthropic-thinking';
import { startLoopbackProvider, type FakeProviderOptions, type FakeProviderServer, type WireFormat } from './loopback-server';
import { randomId, splitInto, textChunks, type FakeReply, type Frame } from './script';

/**
 * The fake Anthropic Messages API. Besides scripted replies it does what the real one does with
 * thinking and caching, so the adapter is tested against its rules, not ours:
 * - [[think]] streams a thinking block (thinking_delta, then signature_delta) before the text;
 *   [[redacted]] a redacted_thinking block; [[refuse]] ends with `stop_reason: "refusal"`.
 * - A signature or redacted block sent back must be one this server issued, unchanged, and a tool
 *   turn that followed thinking must be sent back with that thinking in front (else a 400, as the
 *   API answers).
 * - Prompt caching: a request with cache_control (top level, or on blocks) writes the prefix up to
 *   each breakpoint and reads the longest prefix written before (looking back 20 blocks, as the API
 *   does), once the prefix reaches `cacheMinTokens`. Tokens are counted as the fakes do: words.
 */

type Body = Record<string, unknown>;
type Block = Record<string, unknown>;

export interface FakeAnthropicOptions extends FakeProviderOptions {
  /** The shortest prefix the cache keeps, in (word) tokens; the API's minimum is 1,024 for most models. */
  cacheMinTokens?: number;
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

/** The text of the very last user message (tool results have none): what the echo repeats. */
function echoSource(body: Body): string {
  const last = [...messagesOf(body)].reverse().find((message) => message.role === 'user');
  return blocksOf(last?.content).map((block) => (block.type === 'text' && typeof block.text === 'string' ? block.text : '')).join('');
}


export { anthropicPromptTokens } from './fake-anthropic-cache';

const sse = (type: string, data: unknown) => `event: ${type}\ndata: ${JSON.stringify(data)}\n\n`;
const ping = (): Frame => ({ text: sse('ping', { type: 'ping' }), content: false });

function createAnthropicFormat(options: FakeAnthropicOptions) {
  const cache = createPromptCache(() => options.cacheMinTokens ?? 1_024);
  /** Signatures and redacted data this server issued, and the tool calls that followed thinking. */
  const issued = new Map<string, string>();
  const thinkingBefore = new Map<string, Block[]>();

  function stopReasonOf(reply: FakeReply, plan: Plan): string {
    if (plan.refuse) return 'refusal';
    return reply.finishReason ?? ((reply.toolCalls ?? []).length > 0 ? 'tool_use' : 'end_turn');
  }

  function textOf(reply: FakeReply, body: Body, plan: Plan): string {
    if (plan.refuse) return REFUSAL_TEXT;
    return reply.text ?? (reply.toolCalls?.length ? '' : `Echo: ${echoSource(body)}`);
  }

  /** The thinking blocks of this reply, registered so their return can be checked. */
  function thinkingBlocksOf(plan: Plan, body: Body): Block[] {
    const blocks: Block[] = [];
    if (plan.redacted) {
      const data = redactedDataOf(JSON.stringify(body.messages));
      issued.set(data, '');
      blocks.push({ type: 'redacted_thinking', data });
    }
    if (plan.thinking !== undefined) {
      const signature = signatureOf(plan.thinking);
      issued.set(signature, plan.thinking);
      blocks.push({ type: 'thinking', thinking: plan.thinking, signature });
    }
    return blocks;
  }

  function toolCallsOf(reply: FakeReply, thinking: Block[]) {
    return (reply.toolCalls ?? []).map((call) => {
      const id = call.id ?? randomId('toolu_');
      if (thinking.length > 0) thinkingBefore.set(id, thinking);
      return { ...call, id };
    });
  }

  /** The API's own checks on thinking sent back; a message for a 400, or undefined. */
  function thinkingProblem(body: Body): string | undefined {
    const messages = messagesOf(body);
    for (const [at, message] of messages.entries()) {
      for (const [index, block] of blocksOf(message.content).entries()) {
        if (block.type === 'thinking' && issued.get(String(block.signature)) !== block.thinking) {
          return `messages.${at}.content.${index}: Invalid \`signature\` in \`thinking\` block`;
        }
        if (block.type === 'redacted_thinking' && !issued.has(String(block.data))) {
          return `messages.${at}.content.${index}: Invalid \`data\` in \`redacted_thinking\` block`;
        }
      }
    }
    // The rule holds when the request turns thinking on; a request without `thinking` may continue a turn without it.
    const type = (body.thinking as { type?: unknown } | undefined)?.type;
    if (type !== 'enabled' && type !== 'adaptive') return undefined;
    const at = messages.findLastIndex((message) => message.role === 'assistant');
    const last = blocksOf(messages[at]?.content);
    const call = last.find((block) => block.type === 'tool_use');
    const expected = call ? thinkingBefore.get(String(call.id)) : undefined;
    if (!expected) return undefined;
    const same = (a: Block | undefined, b: Block) => a !== undefined && a.type === b.type && a.thinking === b.thinking && a.signature === b.signature && a.data === b.data;
    if (!expected.every((block, index) => same(last[index], block))) {
      return (
        `messages.${at}.content.0.type: Expected \`thinking\` or \`redacted_thinking\`, but found \`${String(last[0]?.type)}\`. ` +
        'When `thinking` is enabled, a final `assistant` message must start with a thinking block (preceeding the lastmost set of `tool_use` and `tool_result` blocks).'
      );
    }
    return undefined;
  }

  /** Anthropic's input_tokens leaves out cache reads and writes; the script's promptTokens has them all. */
  function usageOf(reply: FakeReply, body: Body, thinkingTokens: number) {
    const scriptedRead = reply.usage?.cachedPromptTokens;
    const simulated = scriptedRead === undefined ? cache.apply(body) : undefined;
    // A cached prefix counts the system prompt and tools, which a scripted count may leave out.
    const total = Math.max(reply.usage?.promptTokens ?? 10, simulated && simulated.read + simulated.write5m + simulated.write1h > 0 ? anthropicPromptTokens(body) : 0);
    const read = Math.min(scriptedRead ?? simulated?.read ?? 0, total);
    const write5m = Math.min(simulated?.write5m ?? 0, total - read);
    const write1h = Math.min(simulated?.write1h ?? 0, total - read - write5m);
    return {
      input_tokens: total - read - write5m - write1h,
      cache_creation_input_tokens: write5m + write1h,
      cache_read_input_tokens: read,
      cache_creation: { ephemeral_5m_input_tokens: write5m, ephemeral_1h_input_tokens: write1h },
      output_tokens: (reply.usage?.completionTokens ?? 5) + thinkingTokens,
      ...(thinkingTokens > 0 ? { output_tokens_details: { thinking_tokens: thinkingTokens } } : {}),
      service_tier: 'standard',
    };
  }

  // The raw reasoning behind a summary is longer than the summary shown.
  const thinkingTokensOf = (plan: Plan) => (plan.thinking === undefined ? 0 : words(plan.thinking) * 3) + (plan.redacted ? 120 : 0);

  const format: WireFormat = {
    path: '/v1/messages',

    defaultReply: (body) => ({ text: `Echo: ${echoSource(body)}` }),

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
      const plan = planOf(body);
      const thinking = thinkingBlocksOf(plan, body);
      const text = textOf(reply, body, plan);
      return {
        id: randomId('msg_'),
        type: 'message',
        role: 'assistant',
        model: String(body.model ?? 'claude-test'),
        content: [
          ...thinking,
          ...(text === '' ? [] : [{ type: 'text', text }]),
          ...(plan.refuse ? [] : toolCallsOf(reply, thinking)).map((call) => ({ type: 'tool_use', id: call.id, name: call.name, input: call.args })),
        ],
        stop_reason: stopReasonOf(reply, plan),
        stop_sequence: null,
        stop_details: plan.refuse ? { type: 'refusal', category: null, explanation: null } : null,
        usage: usageOf(reply, body, thinkingTokensOf(plan)),
      };
    },

    streamFrames(reply, body) {
      const plan = planOf(body);
      const usage = usageOf(reply, body, thinkingTokensOf(plan));
      const frames: Frame[] = [
        {
          text: sse('message_start', {
            type: 'message_start',
            message: {
              id: randomId('msg_'), type: 'message', role: 'assistant', model: String(body.model ?? 'claude-test'),
              content: [], stop_reason: null, stop_sequence: null, stop_details: null,
              usage: { ...usage, output_tokens: 1, output_tokens_details: undefined },
            },
          }),
          content: false,
        },
      ];
      let index = 0;
      const thinking = thinkingBlocksOf(plan, body);
      for (const block of thinking) {
        if (block.type === 'redacted_thinking') {
          frames.push({ text: sse('content_block_start', { type: 'content_block_start', index, content_block: block }), content: false }, ping(), ping());
        } else {
          frames.push({ text: sse('content_block_start', { type: 'content_block_start', index, content_block: { type: 'thinking', thinking: '', signature: '' } }), content: false });
          // Pings between the deltas stretch the thinking to a few seconds at the usual pace, so it can be watched.
          for (const piece of splitInto(String(block.thinking), 12)) {
            frames.push({ text: sse('content_block_delta', { type: 'content_block_delta', index, delta: { type: 'thinking_delta', thinking: piece } }), content: true }, ping(), ping(), ping());
          }
          frames.push({ text: sse('content_block_delta', { type: 'content_block_delta', index, delta: { type: 'signature_delta', signature: block.signature } }), content: false });
        }
        frames.push({ text: sse('content_block_stop', { type: 'content_block_stop', index }), content: false });
        index += 1;
      }
      const text = textOf(reply, body, plan);
      if (text !== '') {
        frames.push({ text: sse('content_block_start', { type: 'content_block_start', index, content_block: { type: 'text', text: '' } }), content: false });
        frames.push(ping());
        for (const piece of textChunks(text, reply.chunks)) {
          frames.push({ text: sse('content_block_delta', { type: 'content_block_delta', index, delta: { type: 'text_delta', text: piece } }), content: true });
        }
        frames.push({ text: sse('content_block_stop', { type: 'content_block_stop', index }), content: false });
        index += 1;
      }
      for (const call of plan.refuse ? [] : toolCallsOf(reply, thinking)) {
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
          delta: {
            stop_reason: stopReasonOf(reply, plan),
            stop_sequence: null,
            stop_details: plan.refuse ? { type: 'refusal', category: null, explanation: null } : null,
          },
          usage: { output_tokens: usage.output_tokens, ...(usage.output_tokens_details ? { output_tokens_details: usage.output_tokens_details } : {}) },
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

  return {
    format,
    thinkingProblem,
    reset() {
      cache.clear();
      issued.clear();
      thinkingBefore.clear();
    },
  };
}

/** A loopback server speaking the Anthropic Messages wire format. Pass `url` as `baseURL`. */
export async function startFakeAnthropic(options: FakeAnthropicOptions = {}): Promise<FakeProviderServer> {
  const fake = createAnthropicFormat(options);
  const fallback = options.defaultReply ?? fake.format.defaultReply;
  const pick = (body: Body): FakeReply => (typeof fallback === 'function' ? fallback(body) : fallback);
  // Thinking sent back wrongly is refused before any scripted reply is used, as the API would.
  const checked = (reply: FakeReply, body: Body): FakeReply => {
    const problem = fake.thinkingProblem(body);
    return problem ? { httpError: { status: 400, message: problem } } : reply;
  };
  const queue: FakeReply[] = [];
  const server = await startLoopbackProvider(fake.format, '', {
    ...options,
    defaultReply: (body) => checked(queue.shift() ?? pick(body), body),
  });
  return {
    get url() {
      return server.url;
    },
    get requests() {
      return server.requests;
    },
    get aborts() {
      return server.aborts;
    },
    script: (...replies) => queue.push(...replies),
    waitForAborts: (count, timeoutMs) => server.waitForAborts(count, timeoutMs),
    reset() {
      queue.length = 0;
      fake.reset();
      server.reset();
    },
    close: () => server.close(),
  };
}
