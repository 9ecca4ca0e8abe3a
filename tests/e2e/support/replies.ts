import type { FakeReply } from '../../support/fake-providers';

/** The text of the last user message in an OpenAI or Anthropic request body. */
export function lastUserText(body: Record<string, unknown>): string {
  const messages = Array.isArray(body.messages) ? (body.messages as { role?: unknown; content?: unknown }[]) : [];
  const last = [...messages].reverse().find((message) => message.role === 'user');
  if (typeof last?.content === 'string') return last.content;
  if (Array.isArray(last?.content)) {
    return (last.content as { text?: unknown }[]).map((part) => (typeof part.text === 'string' ? part.text : '')).join('');
  }
  return '';
}

/**
 * The fakes' default answer, chosen by markers in the user's message as in
 * scripts/fake-providers.ts (which cannot be imported: it starts servers on fixed ports):
 * "[fail]" answers HTTP 500, "[slow]" streams a word every 150 ms, "[long]" streams 400 words.
 * Otherwise the reply echoes the message: "Echo from <model>: <text>".
 */
export function replyFor(body: Record<string, unknown>): FakeReply {
  const text = lastUserText(body);
  if (text.includes('[fail]')) return { httpError: { status: 500 } };
  const model = typeof body.model === 'string' ? body.model : 'model';
  const slow = text.includes('[slow]');
  if (text.includes('[long]')) {
    const words = Array.from({ length: 400 }, (_, index) => `word${index}`).join(' ');
    return { text: `Long reply from ${model}: ${words}`, delayMs: slow ? 40 : 5 };
  }
  return { text: `Echo from ${model}: ${text.replace(/\[(slow|long|fail)\]/g, '').trim()}`, delayMs: slow ? 150 : 5 };
}
