import 'server-only';

import type OpenAI from 'openai';
import type { ChatCompletionCreateParamsBase } from 'openai/resources/chat/completions/completions';

import { dataUrlOf, isPdf, pdfFilename } from './files';
import { isTextFile, textFileBlock } from '../text-file';
import { openAIReasoningFor } from './reasoning';
import type { ProviderMessage, ProviderRequest, ProviderToolChoice } from '../types';

type ChatParams = ChatCompletionCreateParamsBase;
type ChatMessage = OpenAI.Chat.Completions.ChatCompletionMessageParam;
type ContentPart = OpenAI.Chat.Completions.ChatCompletionContentPart;

/** Files, then text: text files as text parts (named), images as `image_url` and PDFs as `file` parts inline. */
function userContent(message: Extract<ProviderMessage, { role: 'user' }>): string | ContentPart[] {
  const files = message.files ?? [];
  if (files.length === 0) return message.content;
  const parts: ContentPart[] = files.map((file) =>
    isTextFile(file)
      ? { type: 'text', text: textFileBlock(file) }
      : isPdf(file)
        ? { type: 'file', file: { filename: pdfFilename(file), file_data: dataUrlOf(file) } }
        : { type: 'image_url', image_url: { url: dataUrlOf(file) } },
  );
  if (message.content !== '') parts.push({ type: 'text', text: message.content });
  return parts;
}

function toOpenAIMessage(message: ProviderMessage): ChatMessage {
  switch (message.role) {
    case 'user':
      return { role: 'user', content: userContent(message) };
    case 'tool':
      return { role: 'tool', tool_call_id: message.toolCallId, content: message.content };
    case 'assistant': {
      const toolCalls = message.toolCalls ?? [];
      if (toolCalls.length === 0) return { role: 'assistant', content: message.content };
      return {
        role: 'assistant',
        // OpenAI wants null, not "", beside tool calls.
        content: message.content === '' ? null : message.content,
        tool_calls: toolCalls.map((call) => ({
          id: call.id,
          type: 'function',
          function: { name: call.name, arguments: JSON.stringify(call.args ?? {}) },
        })),
      };
    }
  }
}

function toOpenAIToolChoice(choice: ProviderToolChoice): OpenAI.Chat.Completions.ChatCompletionToolChoiceOption {
  return typeof choice === 'string' ? choice : { type: 'function', function: { name: choice.name } };
}

/** The Chat Completions body for a request, without `stream` (the caller sets it). */
export function toOpenAIChatParams(request: ProviderRequest): ChatParams {
  const messages: ChatMessage[] = [];
  if (request.system) messages.push({ role: 'system', content: request.system });
  for (const message of request.messages) messages.push(toOpenAIMessage(message));

  const params: ChatParams = { model: request.model, messages };
  // Only for a model known to reason, or an effort the request names: most compatible servers'
  // models would refuse an unknown parameter. Reasoning is never sent back: this API has no field for it.
  const reasoning = openAIReasoningFor(request);
  if (reasoning.reasons && reasoning.effort !== undefined) params.reasoning_effort = reasoning.effort;
  // OpenAI's reasoning models refuse any temperature but the default; other models take it.
  if (request.temperature !== undefined && !reasoning.reasons) params.temperature = request.temperature;
  if (request.maxTokens !== undefined) params.max_completion_tokens = request.maxTokens;
  const tools = request.tools ?? [];
  if (tools.length > 0) {
    params.tools = tools.map((tool) => ({
      type: 'function',
      function: {
        name: tool.name,
        ...(tool.description === undefined ? {} : { description: tool.description }),
        parameters: tool.parameters,
      },
    }));
    // The API rejects tool_choice without tools.
    if (request.toolChoice !== undefined) params.tool_choice = toOpenAIToolChoice(request.toolChoice);
  }
  return params;
}
