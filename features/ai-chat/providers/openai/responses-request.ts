import 'server-only';

import type {
  FunctionTool,
  ResponseCreateParamsBase,
  ResponseInputContent,
  ResponseInputItem,
} from 'openai/resources/responses/responses';

import type { ReasoningPart } from '../../protocol/parts';
import { dataUrlOf, isPdf, pdfFilename } from './files';
import { isTextFile, textFileBlock } from '../text-file';
import { openAIReasoningFor } from './reasoning';
import type { ProviderMessage, ProviderRequest, ProviderToolChoice } from '../types';

type ResponsesParams = ResponseCreateParamsBase;

function userContent(message: Extract<ProviderMessage, { role: 'user' }>): string | ResponseInputContent[] {
  const files = message.files ?? [];
  if (files.length === 0) return message.content;
  const content: ResponseInputContent[] = files.map((file) =>
    isTextFile(file)
      ? { type: 'input_text', text: textFileBlock(file) }
      : isPdf(file)
        ? { type: 'input_file', filename: pdfFilename(file), file_data: dataUrlOf(file) }
        : { type: 'input_image', detail: 'auto', image_url: dataUrlOf(file) },
  );
  // A message may be files only; an empty input_text is refused.
  if (message.content !== '') content.push({ type: 'input_text', text: message.content });
  return content;
}

/**
 * A reasoning item exactly as the API returned it. Without its encrypted content the item cannot
 * be sent back statelessly (store: false): the API would look its id up and answer 404, so such a
 * part (another provider's, or one an import stripped) is left out.
 */
function reasoningItem(part: ReasoningPart): ResponseInputItem | undefined {
  if (part.provider !== 'openai' || !part.itemId || !part.encryptedContent) return undefined;
  return {
    type: 'reasoning',
    id: part.itemId,
    encrypted_content: part.encryptedContent,
    summary: part.text === '' ? [] : [{ type: 'summary_text', text: part.text }],
  };
}

function toInputItems(message: ProviderMessage): ResponseInputItem[] {
  switch (message.role) {
    case 'user':
      return [{ role: 'user', content: userContent(message) }];
    case 'tool':
      return [{ type: 'function_call_output', call_id: message.toolCallId, output: message.content }];
    case 'assistant': {
      const items: ResponseInputItem[] = [];
      for (const part of message.reasoning ?? []) {
        const item = reasoningItem(part);
        if (item) items.push(item);
      }
      if (message.content !== '') items.push({ role: 'assistant', content: message.content });
      for (const call of message.toolCalls ?? []) {
        items.push({ type: 'function_call', call_id: call.id, name: call.name, arguments: JSON.stringify(call.args ?? {}) });
      }
      return items;
    }
  }
}

function toToolChoice(choice: ProviderToolChoice): NonNullable<ResponsesParams['tool_choice']> {
  return typeof choice === 'string' ? choice : { type: 'function', name: choice.name };
}

/**
 * The Responses API body for a request, without `stream` (the caller sets it). Stateless: nothing
 * is stored at OpenAI (`store: false`), so a reasoning model's thinking comes back encrypted and
 * is sent again, exactly, within the turn's tool loop.
 */
export function toOpenAIResponsesParams(request: ProviderRequest): ResponsesParams {
  const params: ResponsesParams = {
    model: request.model,
    input: request.messages.flatMap(toInputItems),
    store: false,
  };
  if (request.system) params.instructions = request.system;
  if (request.maxTokens !== undefined) params.max_output_tokens = request.maxTokens;

  const reasoning = openAIReasoningFor(request);
  if (reasoning.reasons) {
    params.reasoning = { ...(reasoning.effort === undefined ? {} : { effort: reasoning.effort }), summary: 'auto' };
    params.include = ['reasoning.encrypted_content'];
  } else if (request.temperature !== undefined) {
    // Reasoning models refuse `temperature`; the others take it.
    params.temperature = request.temperature;
  }

  const tools = request.tools ?? [];
  if (tools.length > 0) {
    params.tools = tools.map(
      (tool): FunctionTool => ({
        type: 'function',
        name: tool.name,
        ...(tool.description === undefined ? {} : { description: tool.description }),
        parameters: tool.parameters,
        // Our schemas are not written for strict mode (every property required, no extras).
        strict: false,
      }),
    );
    if (request.toolChoice !== undefined) params.tool_choice = toToolChoice(request.toolChoice);
  }
  return params;
}
