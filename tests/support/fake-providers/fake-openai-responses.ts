/**
 * The fake OpenAI's Responses API (`POST /v1/responses`), in the real wire format: named SSE
 * events with sequence numbers, a reasoning item (summary parts streamed, encrypted content at
 * its end) before the answer, refusals as refusal content parts, function calls as items.
 *
 * Like the real API with `store: false`, it checks the reasoning items a follow-up sends back: an
 * item it never issued, or one without its encrypted content, is refused (400 / 404).
 */
import { openAIErrorBody, openAINotFoundBody, reasoningTokensOf, withOpenAIMarkers, type OpenAIFakeReply } from './fake-openai-wire';
import type { WireFormat } from './loopback-server';
import { lastUserText } from './markers';
import { randomId, splitInto, textChunks, type FakeReply, type Frame } from './script';

type Body = Record<string, unknown>;
type Item = Record<string, unknown>;

function inputItemsOf(body: Body): Item[] {
  if (typeof body.input === 'string') return [{ role: 'user', content: body.input }];
  return Array.isArray(body.input) ? (body.input as Item[]) : [];
}

/** A content list in Chat Completions terms, so the shared reply scripts read it. */
function chatContent(content: unknown): unknown {
  if (!Array.isArray(content)) return content;
  return (content as Item[]).map((part) =>
    part.type === 'input_text' || part.type === 'output_text' ? { type: 'text', text: part.text } : { type: String(part.type) },
  );
}

/**
 * The request as a Chat Completions body (system, messages, tools), for the reply scripts
 * (markers, e2e replies) that were written for that shape. Reasoning items have no counterpart.
 */
export function chatViewOfResponsesBody(body: Body): Body {
  const messages: Item[] = [];
  if (typeof body.instructions === 'string') messages.push({ role: 'system', content: body.instructions });
  for (const item of inputItemsOf(body)) {
    if (item.type === 'function_call') {
      messages.push({ role: 'assistant', content: null, tool_calls: [{ id: item.call_id, type: 'function', function: { name: item.name, arguments: item.arguments } }] });
    } else if (item.type === 'function_call_output') {
      messages.push({ role: 'tool', tool_call_id: item.call_id, content: item.output });
    } else if (item.role !== undefined) {
      messages.push({ role: item.role, content: chatContent(item.content) });
    }
  }
  const tools = Array.isArray(body.tools)
    ? (body.tools as Item[]).filter((tool) => tool.type === 'function').map((tool) => ({ type: 'function', function: { name: tool.name, parameters: tool.parameters } }))
    : undefined;
  return { model: body.model, stream: body.stream, messages, ...(tools ? { tools } : {}) };
}

function usageOf(reply: OpenAIFakeReply) {
  const input = reply.usage?.promptTokens ?? 10;
  const reasoning = reasoningTokensOf(reply);
  const output = (reply.usage?.completionTokens ?? 5) + reasoning;
  return {
    input_tokens: input,
    input_tokens_details: { cached_tokens: reply.usage?.cachedPromptTokens ?? 0 },
    output_tokens: output,
    output_tokens_details: { reasoning_tokens: reasoning },
    total_tokens: input + output,
  };
}

/** `completed`, or `incomplete` with its reason for a scripted length / content-filter stop. */
function statusOf(reply: FakeReply): { status: string; incomplete_details: { reason: string } | null } {
  if (reply.finishReason === 'length') return { status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } };
  if (reply.finishReason === 'content_filter') return { status: 'incomplete', incomplete_details: { reason: 'content_filter' } };
  return { status: 'completed', incomplete_details: null };
}

function responseObject(id: string, body: Body, fields: Item): Item {
  return {
    id,
    object: 'response',
    created_at: Math.floor(Date.now() / 1000),
    status: 'in_progress',
    background: false,
    error: null,
    incomplete_details: null,
    instructions: body.instructions ?? null,
    max_output_tokens: body.max_output_tokens ?? null,
    model: String(body.model ?? 'gpt-test'),
    output: [],
    parallel_tool_calls: true,
    previous_response_id: null,
    reasoning: { effort: (body.reasoning as Item | undefined)?.effort ?? null, summary: (body.reasoning as Item | undefined)?.summary ?? null },
    service_tier: 'default',
    store: body.store ?? true,
    temperature: 1,
    text: { format: { type: 'text' }, verbosity: 'medium' },
    tool_choice: body.tool_choice ?? 'auto',
    tools: body.tools ?? [],
    top_p: 1,
    truncation: 'disabled',
    usage: null,
    user: null,
    metadata: {},
    ...fields,
  };
}

interface Built {
  events: Array<{ type: string; data: Item; content: boolean; delayMs?: number }>;
  output: Item[];
}

/** The output items of a reply, and the stream events that build them, in order. */
function build(reply: OpenAIFakeReply, body: Body, issue: (itemId: string) => string): Built {
  const events: Built['events'] = [];
  const output: Item[] = [];
  const emit = (type: string, data: Item, content = false, delayMs?: number) => events.push({ type, data, content, delayMs });

  if (reply.reasoning) {
    const id = randomId('rs_');
    const output_index = output.length;
    const summary = reply.reasoning.map((text) => ({ type: 'summary_text', text }));
    emit('response.output_item.added', { output_index, item: { id, type: 'reasoning', summary: [] } });
    const pace = reply.reasoningDelayMs ?? Math.max(reply.delayMs ?? 0, 80);
    reply.reasoning.forEach((text, summary_index) => {
      emit('response.reasoning_summary_part.added', { item_id: id, output_index, summary_index, part: { type: 'summary_text', text: '' } });
      for (const delta of textChunks(text, undefined)) {
        emit('response.reasoning_summary_text.delta', { item_id: id, output_index, summary_index, delta, obfuscation: randomId('').slice(0, 6) }, true, pace);
      }
      emit('response.reasoning_summary_text.done', { item_id: id, output_index, summary_index, text });
      emit('response.reasoning_summary_part.done', { item_id: id, output_index, summary_index, part: { type: 'summary_text', text } });
    });
    const item = { id, type: 'reasoning', encrypted_content: issue(id), summary };
    emit('response.output_item.done', { output_index, item });
    output.push(item);
  }

  const text = reply.refusal !== undefined ? '' : (reply.text ?? (reply.toolCalls?.length ? '' : `Echo: ${lastUserText(chatViewOfResponsesBody(body))}`));
  if (reply.refusal !== undefined || text !== '') {
    const id = randomId('msg_');
    const output_index = output.length;
    const isRefusal = reply.refusal !== undefined;
    const value = isRefusal ? reply.refusal! : text;
    const empty = isRefusal ? { type: 'refusal', refusal: '' } : { type: 'output_text', annotations: [], logprobs: [], text: '' };
    const full = isRefusal ? { type: 'refusal', refusal: value } : { type: 'output_text', annotations: [], logprobs: [], text: value };
    emit('response.output_item.added', { output_index, item: { id, type: 'message', status: 'in_progress', content: [], role: 'assistant' } });
    emit('response.content_part.added', { item_id: id, output_index, content_index: 0, part: empty });
    for (const delta of textChunks(value, reply.chunks)) {
      if (isRefusal) emit('response.refusal.delta', { item_id: id, output_index, content_index: 0, delta }, true);
      else emit('response.output_text.delta', { item_id: id, output_index, content_index: 0, delta, logprobs: [], obfuscation: 'x' }, true);
    }
    if (isRefusal) emit('response.refusal.done', { item_id: id, output_index, content_index: 0, refusal: value });
    else emit('response.output_text.done', { item_id: id, output_index, content_index: 0, text: value, logprobs: [] });
    emit('response.content_part.done', { item_id: id, output_index, content_index: 0, part: full });
    const item = { id, type: 'message', status: 'completed', content: [full], role: 'assistant' };
    emit('response.output_item.done', { output_index, item });
    output.push(item);
  }

  for (const call of reply.refusal !== undefined ? [] : (reply.toolCalls ?? [])) {
    const id = randomId('fc_');
    const call_id = call.id ?? randomId('call_');
    const output_index = output.length;
    const args = JSON.stringify(call.args);
    emit('response.output_item.added', { output_index, item: { id, type: 'function_call', status: 'in_progress', arguments: '', call_id, name: call.name } });
    for (const delta of splitInto(args, call.argChunks ?? 3)) {
      emit('response.function_call_arguments.delta', { item_id: id, output_index, delta }, true);
    }
    emit('response.function_call_arguments.done', { item_id: id, output_index, arguments: args });
    const item = { id, type: 'function_call', status: 'completed', arguments: args, call_id, name: call.name };
    emit('response.output_item.done', { output_index, item });
    output.push(item);
  }
  return { events, output };
}

/** The fake's encrypted content: opaque to clients, recognisable to the fake when it comes back. */
function encryptedContentFor(itemId: string): string {
  return `gAAAAAB${Buffer.from(JSON.stringify({ fake: 'openai', itemId, nonce: randomId('') })).toString('base64url')}`;
}

/** The first reasoning item the request sends back that the real API would refuse, as an error reply. */
function refusedReasoning(body: Body, issued: ReadonlySet<string>): FakeReply | undefined {
  for (const item of inputItemsOf(body)) {
    if (item.type !== 'reasoning') continue;
    const id = String(item.id);
    if (typeof item.encrypted_content !== 'string' && body.store === false) {
      return { httpError: { status: 404, message: `Item with id '${id}' not found. Items are not persisted when \`store\` is set to false. Try again with \`store\` set to true, or remove this item from your input.` } };
    }
    if (typeof item.encrypted_content === 'string' && !issued.has(item.encrypted_content)) {
      return { httpError: { status: 400, code: 'invalid_encrypted_content', message: `The encrypted content for item ${id} could not be verified.` } };
    }
  }
  return undefined;
}

/** A Responses API wire format with its own record of the reasoning it issued. */
export function createResponsesFormat(): WireFormat {
  const issued = new Set<string>();
  const issue = (itemId: string) => {
    const content = encryptedContentFor(itemId);
    issued.add(content);
    return content;
  };
  const includesEncrypted = (body: Body) => Array.isArray(body.include) && body.include.includes('reasoning.encrypted_content');
  // The real API sends encrypted content only when asked to; the fake keeps the id either way.
  const issueFor = (body: Body) => (itemId: string) => (includesEncrypted(body) ? issue(itemId) : '');
  const finalResponse = (reply: OpenAIFakeReply, body: Body, output: Item[], id: string) =>
    responseObject(id, body, { ...statusOf(reply), output, usage: usageOf(reply), completed_at: Math.floor(Date.now() / 1000) });
  const withoutEmptyEncryption = (output: Item[]) =>
    output.map((item) => (item.encrypted_content === '' ? { ...item, encrypted_content: null } : item));

  return {
    path: '/v1/responses',

    defaultReply: (body) => ({ text: `Echo: ${lastUserText(body)}` }),

    chooseReply(body, choose) {
      const view = chatViewOfResponsesBody(body);
      return refusedReasoning(body, issued) ?? withOpenAIMarkers(choose(view), lastUserText(view));
    },

    errorBody: openAIErrorBody,

    completionBody(reply: OpenAIFakeReply, body) {
      const { output } = build(reply, body, issueFor(body));
      return finalResponse(reply, body, withoutEmptyEncryption(output), randomId('resp_'));
    },

    streamFrames(reply: OpenAIFakeReply, body) {
      const id = randomId('resp_');
      const { events, output } = build(reply, body, issueFor(body));
      let sequence = 0;
      const frame = (type: string, data: Item, content = false, delayMs?: number): Frame => ({
        text: `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: sequence++, ...data })}\n\n`,
        content,
        ...(delayMs === undefined ? {} : { delayMs }),
      });
      const started = responseObject(id, body, {});
      const frames = [frame('response.created', { response: started }), frame('response.in_progress', { response: started })];
      for (const event of events) {
        const data = event.type === 'response.output_item.done' ? { ...event.data, item: withoutEmptyEncryption([event.data.item as Item])[0] } : event.data;
        frames.push(frame(event.type, data, event.content, event.delayMs));
      }
      const final = finalResponse(reply, body, withoutEmptyEncryption(output), id);
      frames.push(frame(final.status === 'incomplete' ? 'response.incomplete' : 'response.completed', { response: final }));
      return frames;
    },

    streamErrorFrame(error) {
      const data = { type: 'error', sequence_number: 0, code: error.type, message: error.message ?? 'The server had an error while processing your request.', param: null };
      return `event: error\ndata: ${JSON.stringify(data)}\n\n`;
    },

    notFoundBody: openAINotFoundBody,
  };
}
