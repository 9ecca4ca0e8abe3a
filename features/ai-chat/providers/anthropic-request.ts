import 'server-only';

import type Anthropic from '@anthropic-ai/sdk';

import type { ProviderMessage, ProviderRequest, ProviderToolChoice } from './types';

type MessageParams = Anthropic.Messages.MessageCreateParamsNonStreaming;
type ContentBlock = Anthropic.Messages.ContentBlockParam;

/** Anthropic requires max_tokens; enough for a long chat answer without inviting runaway cost. */
export const DEFAULT_ANTHROPIC_MAX_TOKENS = 4096;

function blocksOf(message: ProviderMessage): ContentBlock[] {
  switch (message.role) {
    case 'user':
      // The API rejects empty text blocks.
      return message.content === '' ? [] : [{ type: 'text', text: message.content }];
    case 'tool':
      return [{ type: 'tool_result', tool_use_id: message.toolCallId, content: message.content }];
    case 'assistant': {
      const blocks: ContentBlock[] = message.content === '' ? [] : [{ type: 'text', text: message.content }];
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
function toAnthropicMessages(messages: readonly ProviderMessage[]): Anthropic.Messages.MessageParam[] {
  const turns: Array<{ role: 'user' | 'assistant'; content: ContentBlock[] }> = [];
  for (const message of messages) {
    const role = message.role === 'assistant' ? 'assistant' : 'user';
    const blocks = blocksOf(message);
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
 * SDK's Messages API no longer has the parameter.
 */
export function toAnthropicParams(request: ProviderRequest): MessageParams {
  const params: MessageParams = {
    model: request.model,
    max_tokens: request.maxTokens ?? DEFAULT_ANTHROPIC_MAX_TOKENS,
    messages: toAnthropicMessages(request.messages),
  };
  if (request.system) params.system = request.system;
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
