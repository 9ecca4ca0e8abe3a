/**
 * Replies chosen by markers in the last user message, so a person driving the app (or a browser
 * test) can bring about every state of a turn with either fake:
 *
 *   [[429]]  one 429 with `retry-after: 2`, then the normal reply (the SDK's retry succeeds)
 *   [[500]]  one 500, then the normal reply
 *   [[fail]] a 500 every time
 *   [[cut]]  some words, then the connection is dropped mid-reply
 *   [[slow]] a word every 150 ms
 *   [[long]] a reply of about 600 words of markdown
 *   [[code]] a reply with a fenced code block and a table
 *   [[tool]] a call of the first tool the request offers, then a reply naming its result
 *   [[think]] reasoning first (Claude: a thinking block with its signature; OpenAI Responses: a
 *            reasoning summary), streamed slowly enough to watch, then the reply
 *   [[redacted]] (Claude) a redacted_thinking block before the reply
 *   [[refuse]] a refusal (OpenAI `refusal` deltas; Claude `stop_reason: "refusal"`)
 *
 * Without a marker the reply echoes the message as plain text: "Echo from <model>: <text>".
 * Markers combine ("[[slow]] [[long]]", "[[cut]] [[long]]"). The single-bracket `[fail]`,
 * `[slow]` and `[long]` of earlier versions still work.
 */
import type { FakeReply, FakeToolCall } from './script';

type Body = Record<string, unknown>;
type WireMessage = { role?: unknown; content?: unknown };

export const MARKERS = ['429', '500', 'fail', 'cut', 'slow', 'long', 'code', 'tool', 'think', 'redacted', 'refuse'] as const;
export type Marker = (typeof MARKERS)[number];

const MARKER_PATTERN = /\[\[(429|500|fail|cut|slow|long|code|tool|think|redacted|refuse)\]\]|\[(fail|slow|long)\]/g;

function messagesOf(body: Body): WireMessage[] {
  return Array.isArray(body.messages) ? (body.messages as WireMessage[]) : [];
}

/** The text of a message: a string, or the text of its content blocks / parts (never their JSON). */
export function plainTextOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((block: { type?: unknown; text?: unknown }) => (typeof block?.text === 'string' && (block.type === undefined || block.type === 'text') ? block.text : ''))
    .filter((text) => text !== '')
    .join('\n');
}

/** The text the person last wrote: the last user message that has text (tool results have none). */
export function lastUserText(body: Body): string {
  for (const message of [...messagesOf(body)].reverse()) {
    if (message.role !== 'user') continue;
    const text = plainTextOf(message.content);
    if (text !== '') return text;
  }
  return '';
}

/** The markers in a text, and the text without them. */
export function parseMarkers(text: string): { markers: Set<Marker>; rest: string } {
  const markers = new Set<Marker>();
  const rest = text.replace(MARKER_PATTERN, (_, double?: Marker, single?: Marker) => {
    markers.add((double ?? single)!);
    return '';
  });
  return { markers, rest: rest.replace(/\s{2,}/g, ' ').trim() };
}

/** Whether the request ends with tool results (OpenAI `tool` messages, Anthropic `tool_result` blocks). */
function endsWithToolResults(body: Body): boolean {
  const last = messagesOf(body).at(-1);
  if (!last) return false;
  if (last.role === 'tool') return true;
  return Array.isArray(last.content) && last.content.some((block: { type?: unknown }) => block?.type === 'tool_result');
}

interface OfferedTool {
  name: string;
  schema: Record<string, unknown>;
}

/** The tools a request offers, in either wire format. */
function toolsOf(body: Body): OfferedTool[] {
  if (!Array.isArray(body.tools)) return [];
  return (body.tools as Record<string, unknown>[]).flatMap((tool) => {
    const fn = tool.function as { name?: unknown; parameters?: unknown } | undefined;
    const name = fn?.name ?? tool.name;
    const schema = fn?.parameters ?? tool.input_schema ?? {};
    return typeof name === 'string' ? [{ name, schema: schema as Record<string, unknown> }] : [];
  });
}

/** Arguments that satisfy a simple JSON Schema: an example value for every required property. */
function exampleArgs(schema: Record<string, unknown>): Record<string, unknown> {
  const properties = (schema.properties ?? {}) as Record<string, { type?: unknown; enum?: unknown[] }>;
  const required = Array.isArray(schema.required) ? (schema.required as string[]) : Object.keys(properties);
  const example = (property: { type?: unknown; enum?: unknown[] } | undefined): unknown => {
    if (property?.enum?.length) return property.enum[0];
    switch (property?.type) {
      case 'number':
      case 'integer':
        return 1;
      case 'boolean':
        return true;
      case 'array':
        return [];
      case 'object':
        return {};
      default:
        return 'Paris';
    }
  };
  return Object.fromEntries(required.map((name) => [name, example(properties[name])]));
}

const LONG_TOPICS = ['streaming', 'storage', 'limits', 'branches', 'providers', 'markdown'];

function longReply(model: string): string {
  const paragraph = (topic: string, index: number) =>
    `Paragraph ${index + 1} is about ${topic}. ` +
    Array.from({ length: 8 }, (_, sentence) => `Sentence ${sentence + 1} of this paragraph says a little more about ${topic}, so the reply grows.`).join(' ');
  const sections = LONG_TOPICS.map((topic, index) => `## ${index + 1}. ${topic[0]!.toUpperCase()}${topic.slice(1)}\n\n${paragraph(topic, index)}`);
  return [`A long reply from ${model}, in ${LONG_TOPICS.length} sections.`, ...sections, 'That is the end of the long reply.'].join('\n\n');
}

function codeReply(model: string): string {
  return [
    `Here is some code from ${model}:`,
    '```ts\nexport function total(rows: { tokens: number }[]): number {\n  return rows.reduce((sum, row) => sum + row.tokens, 0);\n}\n```',
    'And a table:',
    '| provider | model | tokens |\n| --- | --- | ---: |\n| OpenAI | gpt-5-mini | 1,200 |\n| Anthropic | claude-sonnet-5-5 | 900 |',
    'Done.',
  ].join('\n\n');
}

/** Rough token counts, so the app's meter moves: words in, words out. */
function usageFor(body: Body, text: string) {
  const words = (value: string) => value.split(/\s+/).filter(Boolean).length;
  const promptTokens = 8 + messagesOf(body).reduce((sum, message) => sum + words(plainTextOf(message.content)), 0);
  return { promptTokens, completionTokens: Math.max(1, words(text)) };
}

export interface MarkerRepliesOptions {
  /** Milliseconds before each stream frame of an ordinary reply. Default 20. */
  delayMs?: number;
  /** Milliseconds before each frame under [[slow]]. Default 150. */
  slowDelayMs?: number;
  /** Seconds sent in `retry-after` with the [[429]]. Default 2. */
  retryAfterSeconds?: number;
}

/**
 * A `defaultReply` for `startFakeOpenAI` / `startFakeAnthropic` that follows the markers above.
 * "Once" markers ([[429]], [[500]]) remember the request they failed, by its body: the SDK's retry
 * of that same request succeeds, and the same message sent again later fails once again.
 */
export function createMarkerReplies(options: MarkerRepliesOptions = {}): (body: Body) => FakeReply {
  const { delayMs = 20, slowDelayMs = 150, retryAfterSeconds = 2 } = options;
  const failedOnce = new Set<string>();

  return (body) => {
    const { markers, rest } = parseMarkers(lastUserText(body));
    const model = typeof body.model === 'string' ? body.model : 'model';
    // A title call (issue 20, after a new chat's first reply): the question's first few words.
    if (JSON.stringify(body).includes('You name chat conversations')) {
      const question = /^User: (.*)$/m.exec(rest)?.[1] ?? rest;
      return { text: question.split(/\s+/).slice(0, 5).join(' ') || 'A new chat', delayMs };
    }

    if (markers.has('fail')) return { httpError: { status: 500 } };
    for (const [marker, status] of [['429', 429], ['500', 500]] as const) {
      if (!markers.has(marker)) continue;
      const key = `${status}\u0000${JSON.stringify(body.messages)}`;
      if (failedOnce.delete(key)) continue;
      failedOnce.add(key);
      return { httpError: status === 429 ? { status, retryAfter: String(retryAfterSeconds) } : { status } };
    }

    const pace = markers.has('slow') ? slowDelayMs : delayMs;
    if (markers.has('tool')) {
      const tool = toolsOf(body)[0];
      if (!tool) {
        return { text: `No tools are configured in this app, so ${model} answers without one: ${rest}`, delayMs: pace };
      }
      if (!endsWithToolResults(body)) {
        const call: FakeToolCall = { name: tool.name, args: exampleArgs(tool.schema) };
        return { toolCalls: [call], delayMs: pace, usage: usageFor(body, '') };
      }
      const text = `${model} called the tool ${tool.name} and read its result.`;
      return { text, delayMs: pace, usage: usageFor(body, text) };
    }

    let text = markers.has('long') ? longReply(model) : markers.has('code') ? codeReply(model) : `Echo from ${model}: ${rest}`;
    if (markers.has('long') && markers.has('code')) text = `${codeReply(model)}\n\n${longReply(model)}`;
    const reply: FakeReply = { text, delayMs: pace, usage: usageFor(body, text) };
    if (markers.has('cut')) {
      // Enough words to see the reply start, then the connection drops.
      if (!markers.has('long') && !markers.has('code')) {
        reply.text = `${text} ${Array.from({ length: 30 }, (_, index) => `word${index + 1}`).join(' ')}`;
      }
      reply.failAfterChunks = 12;
    }
    return reply;
  };
}
