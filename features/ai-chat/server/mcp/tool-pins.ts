import 'server-only';
import { createHash } from 'node:crypto';
import type { Tool } from '@modelcontextprotocol/sdk/types.js';

/**
 * What a tool says it is (description, schemas, annotations) as one sha256: a server that
 * changes a tool's definition under the same name (a "rug pull") gets a different hash.
 */
export function toolDefinitionHash(tool: Tool): string {
  const definition = {
    name: tool.name,
    title: tool.title ?? null,
    description: tool.description ?? null,
    inputSchema: tool.inputSchema,
    outputSchema: tool.outputSchema ?? null,
    annotations: tool.annotations ?? null,
  };
  return createHash('sha256').update(canonicalJson(definition)).digest('hex');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * The tool definitions this process accepted, per server: the operator's pins (config), else the
 * first definition seen (trust on first use). A definition that differs from its pin is
 * disabled until the operator accepts it: by putting the new hash in the server's `pins`, or
 * with McpHub.acceptToolDefinition.
 */
export class ToolPins {
  private readonly accepted = new Map<string, string>();

  /** `ok` when the tool may be offered; else the hash it has and the one that was accepted. */
  check(server: string, pins: Readonly<Record<string, string>> | undefined, tool: Tool): { ok: true } | { ok: false; hash: string; expected: string } {
    const key = `${server}\0${tool.name}`;
    const hash = toolDefinitionHash(tool);
    const expected = this.accepted.get(key) ?? pins?.[tool.name];
    if (expected === undefined) {
      this.accepted.set(key, hash);
      return { ok: true };
    }
    return expected === hash ? { ok: true } : { ok: false, hash, expected };
  }

  accept(server: string, tool: string, hash: string): void {
    this.accepted.set(`${server}\0${tool}`, hash);
  }
}
