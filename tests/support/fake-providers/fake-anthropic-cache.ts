import { createHash } from 'node:crypto';

/**
 * The fake Anthropic's token counts and prompt cache. Tokens are words (as the fakes count them),
 * in the API's cache order: tools, system, messages, block by block. A request with cache_control
 * (top level, or on blocks) writes the prefix up to each breakpoint once it reaches the minimum,
 * and reads the longest prefix written before, looking back 20 blocks from a breakpoint, as the
 * API does.
 */

type Body = Record<string, unknown>;
type Block = Record<string, unknown>;

export const words = (value: string) => value.split(/\s+/).filter(Boolean).length;

/** Content as blocks: a string is one text block, as the API reads it. */
export function blocksOf(content: unknown): Block[] {
  if (typeof content === 'string') return content === '' ? [] : [{ type: 'text', text: content }];
  return Array.isArray(content) ? (content as Block[]) : [];
}

export function messagesOf(body: Body): Array<{ role?: unknown; content?: unknown }> {
  return Array.isArray(body.messages) ? (body.messages as Array<{ role?: unknown; content?: unknown }>) : [];
}

/** Word tokens of one block; an image or a PDF page costs what the estimates say. */
function blockTokens(block: Block): number {
  switch (block.type) {
    case 'image':
      return 1_600;
    case 'document':
      return 2_000;
    case 'thinking':
      return words(String(block.thinking ?? ''));
    case 'text':
      return words(String(block.text ?? ''));
    default:
      return words(JSON.stringify({ ...block, cache_control: undefined }));
  }
}

/** The prompt in the API's cache order: tools, then system, then messages, block by block. */
function promptBlocks(body: Body): Block[] {
  const tools = Array.isArray(body.tools) ? (body.tools as Block[]) : [];
  return [...tools, ...blocksOf(body.system), ...messagesOf(body).flatMap((message) => blocksOf(message.content).map((block) => ({ ...block, role: message.role })))];
}

/** Every input token of a request as the fake counts them: 8 for the framing, then words. */
export function anthropicPromptTokens(body: Body): number {
  return 8 + promptBlocks(body).reduce((sum, block) => sum + blockTokens(block), 0);
}

export interface CacheUsage {
  read: number;
  write5m: number;
  write1h: number;
}

/** The prompt cache of one server: prefix hash → its tokens. */
export function createPromptCache(minTokens: () => number) {
  const entries = new Map<string, number>();

  return {
    clear: () => entries.clear(),
    /** What a request reads and writes; undefined when it asks for no caching. */
    apply(body: Body): CacheUsage | undefined {
      const blocks = promptBlocks(body);
      const breakpoints = blocks.flatMap((block, index) => (block.cache_control ? [{ index, ttl: (block.cache_control as { ttl?: string }).ttl }] : []));
      const top = body.cache_control as { ttl?: string } | undefined;
      if (top && blocks.length > 0) breakpoints.push({ index: blocks.length - 1, ttl: top.ttl });
      if (breakpoints.length === 0) return undefined;

      const hashes: string[] = [];
      const tokens: number[] = [];
      const hash = createHash('sha256').update(String(body.model));
      let sum = 8;
      for (const block of blocks) {
        hash.update(JSON.stringify({ ...block, cache_control: undefined }));
        hashes.push(hash.copy().digest('hex'));
        sum += blockTokens(block);
        tokens.push(sum);
      }
      let read = 0;
      for (const { index } of breakpoints) {
        for (let at = index; at >= Math.max(0, index - 19); at -= 1) {
          const hit = entries.get(hashes[at]!);
          if (hit !== undefined) {
            read = Math.max(read, hit);
            break;
          }
        }
      }
      let written = read;
      const usage: CacheUsage = { read, write5m: 0, write1h: 0 };
      for (const { index, ttl } of [...breakpoints].sort((a, b) => a.index - b.index)) {
        const size = tokens[index]!;
        if (size < minTokens() || size <= written) continue;
        entries.set(hashes[index]!, size);
        if (ttl === '1h') usage.write1h += size - written;
        else usage.write5m += size - written;
        written = size;
      }
      return usage;
    },
  };
}

