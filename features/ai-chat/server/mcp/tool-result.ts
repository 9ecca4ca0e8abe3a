import 'server-only';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';

/**
 * An MCP tool's result as the model gets it: its text (other content named, not sent), cut to
 * `maxChars` with a note saying how much was left out; `isError` results as `{ error }`.
 */
export function toolResultForModel(result: CallToolResult, maxChars: number): { content: string; truncated?: true } | { error: string } {
  const pieces = (result.content ?? []).map((item) => {
    if (item.type === 'text') return item.text;
    if (item.type === 'resource' && 'text' in item.resource && typeof item.resource.text === 'string') return item.resource.text;
    if (item.type === 'resource_link') return `[resource: ${item.uri}]`;
    return `[${item.type} content omitted]`;
  });
  let text = pieces.join('\n');
  if (text === '' && result.structuredContent !== undefined) text = JSON.stringify(result.structuredContent);
  let truncated = false;
  if (text.length > maxChars) {
    text = `${text.slice(0, maxChars)}\n[… ${text.length - maxChars} more characters cut]`;
    truncated = true;
  }
  if (result.isError) return { error: text || 'The tool failed.' };
  return truncated ? { content: text, truncated: true } : { content: text };
}
