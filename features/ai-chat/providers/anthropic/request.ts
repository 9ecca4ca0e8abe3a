import 'server-only';

import type Anthropic from '@anthropic-ai/sdk';

import { ChatError } from '../../protocol/errors';
import type { ReasoningPart } from '../../protocol/parts';
import { resolveModel } from '../pricing';
import type { ModelInfo } from '../models/types';
import { thinkingParams } from './thinking';
import { isTextFile, textFileBlock } from '../text-file';
import type { ProviderFile, ProviderMessage, ProviderRequest, ProviderToolChoice } from '../types';

type MessageParams = Anthropic.Messages.MessageCreateParamsNonStreaming;
type ContentBlock = Anthropic.Messages.ContentBlockParam;
type ImageMediaType = Anthropic.Messages.Base64ImageSource['media_type'];

const base64 = (data: Uint8Array) => Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64');

/** An attachment as the API's native block: a text file as named text, a base64 image, or a base64 PDF document titled by its name. */
function fileBlock(file: ProviderFile, model: ModelInfo | null): ContentBlock {
  if (isTextFile(file)) return { type: 'text', text: textFileBlock(file) };
  const accepts = model?.accepts;
  if (file.mediaType === 'application/pdf') {
    if (model && !accepts?.pdf) throw new ChatError('unsupported_file_type', `${model.id} cannot read PDFs; pick a newer Claude model.`);
    return { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: base64(file.data) }, title: file.name };
  }
  if (model && !accepts?.images) throw new ChatError('unsupported_file_type', `${model.id} cannot read images.`);
  return { type: 'image', source: { type: 'base64', media_type: file.mediaType as ImageMediaType, data: base64(file.data) } };
}

/**
 * Claude's own thinking blocks, exactly as they came (signature or redacted data intact): the API
 * checks them. A part from another provider, or one whose secrets were stripped (an import), is
 * not Claude's to verify and is dropped.
 */
function reasoningBlocks(parts: readonly ReasoningPart[] | undefined): ContentBlock[] {
  const blocks: ContentBlock[] = [];
  for (const part of parts ?? []) {
    if (part.provider !== 'anthropic') continue;
    if (part.redactedData !== undefined) blocks.push({ type: 'redacted_thinking', data: part.redactedData });
    else if (part.signature !== undefined) blocks.push({ type: 'thinking', thinking: part.text, signature: part.signature });
  }
  return blocks;
}

function blocksOf(message: ProviderMessage, model: ModelInfo | null): ContentBlock[] {
  switch (message.role) {
    case 'user': {
      // Files first: Claude reads best with the images and documents before the question about them.
      const blocks = (message.files ?? []).map((file) => fileBlock(file, model));
      // The API rejects empty text blocks.
      if (message.content !== '') blocks.push({ type: 'text', text: message.content });
      return blocks;
    }
    case 'tool':
      return [{ type: 'tool_result', tool_use_id: message.toolCallId, content: message.content }];
    case 'assistant': {
      const blocks = reasoningBlocks(message.reasoning);
      if (message.content !== '') blocks.push({ type: 'text', text: message.content });
      for (const call of message.toolCalls ?? []) {
        blocks.push({ type: 'tool_use', id: call.id, name: call.name, input: call.args ?? {} });
      }
      return blocks;
    }
  }
}

/**
 * Tool results travel in a user turn, and all results for one assistant turn must sit in the very
 * next user message; merging adjacent same-role turns gives exactly that, and a user's text right
 * after the results joins them.
 */
function toAnthropicMessages(messages: readonly ProviderMessage[], model: ModelInfo | null): Anthropic.Messages.MessageParam[] {
  const turns: Array<{ role: 'user' | 'assistant'; content: ContentBlock[] }> = [];
  for (const message of messages) {
    const role = message.role === 'assistant' ? 'assistant' : 'user';
    const blocks = blocksOf(message, model);
    if (blocks.length === 0) continue;
    const last = turns.at(-1);
    if (last?.role === role) last.content.push(...blocks);
    else turns.push({ role, content: blocks });
  }
  return turns;
}

function toAnthropicToolChoice(choice: ProviderToolChoice): Anthropic.Messages.ToolChoice {
  if (typeof choice === 'object') return { type: 'tool', name: choice.name };
  if (choice === 'required') return { type: 'any' };
  return { type: choice };
}

/**
 * The Messages API body for a request, without `stream`. `temperature` is not sent: the installed
 * SDK's Messages API no longer has the parameter (and thinking would forbid most values anyway).
 * Prompt caching is the API's automatic top-level cache_control: the breakpoint moves to the last
 * block each turn, so a follow-up reads tools, system and the whole history from the cache.
 */
export function toAnthropicParams(request: ProviderRequest): MessageParams {
  const model = resolveModel('anthropic', request.model);
  const thinking = thinkingParams(request, model);
  const params: MessageParams = {
    model: request.model,
    max_tokens: thinking.maxTokens,
    messages: toAnthropicMessages(request.messages, model),
  };
  if (request.system) params.system = request.system;
  if (thinking.thinking) params.thinking = thinking.thinking;
  if (thinking.outputConfig) params.output_config = thinking.outputConfig;
  if (request.promptCache !== false) params.cache_control = { type: 'ephemeral' };
  const tools = request.tools ?? [];
  if (tools.length > 0) {
    params.tools = tools.map((tool) => ({
      name: tool.name,
      ...(tool.description === undefined ? {} : { description: tool.description }),
      input_schema: { type: 'object', ...tool.parameters },
    }));
    if (request.toolChoice !== undefined) params.tool_choice = toAnthropicToolChoice(request.toolChoice);
  }
  return params;
}
