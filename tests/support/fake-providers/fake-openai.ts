import { createResponsesFormat } from './fake-openai-responses';
import { openAIErrorBody, openAINotFoundBody, reasoningTokensOf, withOpenAIMarkers, type OpenAIFakeReply } from './fake-openai-wire';
import { startLoopbackProvider, type FakeProviderOptions, type FakeProviderServer, type WireFormat } from './loopback-server';
import { lastUserText as lastPersonText } from './markers';
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

/** Reasoning tokens are part of completion_tokens, as OpenAI counts them. */
function usageOf(reply: OpenAIFakeReply) {
  const prompt = reply.usage?.promptTokens ?? 10;
  const reasoning = reasoningTokensOf(reply);
  const completion = (reply.usage?.completionTokens ?? 5) + reasoning;
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    prompt_tokens_details: { cached_tokens: reply.usage?.cachedPromptTokens ?? 0, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: reasoning, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
  };
}

function toolCallsOf(reply: FakeReply) {
  return (reply.toolCalls ?? []).map((call) => ({ ...call, id: call.id ?? randomId('call_') }));
}

function finishReasonOf(reply: FakeReply): string {
  return reply.finishReason ?? ((reply.toolCalls ?? []).length > 0 ? 'tool_calls' : 'stop');
}

function textOf(reply: OpenAIFakeReply, body: Record<string, unknown>): string {
  if (reply.refusal !== undefined) return '';
  return reply.text ?? (reply.toolCalls?.length ? '' : `Echo: ${lastUserText(body)}`);
}

const openAIFormat: WireFormat = {
  path: '/v1/chat/completions',

  defaultReply: (body) => ({ text: `Echo: ${lastUserText(body)}` }),

  chooseReply: (body, choose) => withOpenAIMarkers(choose(body), lastPersonText(body)),

  errorBody: openAIErrorBody,

  completionBody(scripted, body) {
    const reply: OpenAIFakeReply = scripted;
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
            content: (text === '' && toolCalls.length > 0) || reply.refusal !== undefined ? null : text,
            refusal: reply.refusal ?? null,
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

  streamFrames(scripted, body) {
    const reply: OpenAIFakeReply = scripted;
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
    // A refusal streams in its own field; content stays null.
    for (const piece of textChunks(reply.refusal ?? '', reply.chunks)) {
      frames.push({ text: delta({ refusal: piece }), content: true });
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

  notFoundBody: openAINotFoundBody,

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

/**
 * A loopback server speaking OpenAI's wire formats: Chat Completions (`/v1/chat/completions`) and
 * Responses (`/v1/responses`), one reply queue for both. Pass `url` as `baseURL`.
 */
export function startFakeOpenAI(options?: FakeProviderOptions): Promise<FakeProviderServer> {
  return startLoopbackProvider([openAIFormat, createResponsesFormat()], '/v1', options);
}
