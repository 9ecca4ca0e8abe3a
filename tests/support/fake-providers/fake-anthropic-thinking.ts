import { createHash, createHmac, randomBytes } from 'node:crypto';

import { lastUserText, parseMarkers, type Marker } from './markers';

/** What the fake Anthropic thinks under [[think]] / [[redacted]], and the opaque values it signs that with. */

type Body = Record<string, unknown>;

const THINKING_SECRET = randomBytes(32);

/** A signature that looks like the API's (long, opaque base64) and proves which text it signed. */
export function signatureOf(thinking: string): string {
  const mac = createHmac('sha256', THINKING_SECRET).update(thinking).digest();
  return Buffer.concat([Buffer.from([0x12, 0x24]), mac, createHash('sha512').update(mac).digest(), createHash('sha512').update(thinking).digest()]).toString('base64');
}

export function redactedDataOf(seed: string): string {
  const mac = createHmac('sha256', THINKING_SECRET).update(`redacted:${seed}`).digest();
  return Buffer.concat([Buffer.from('EmwKAhgBEgy'), mac, randomBytes(192)]).toString('base64');
}

function thinkingTextFor(question: string): string {
  return (
    `The person asks: "${question}". Let me work out what they need before answering. ` +
    'First I restate the question in my own words, then check what I know about it, ' +
    'then decide on the shortest answer that is still complete and correct, and finally write it plainly.'
  );
}

export const REFUSAL_TEXT = "I can't help with that request.";

/** What the markers of a request turn into on this wire. */
export interface Plan {
  thinking?: string;
  redacted: boolean;
  refuse: boolean;
}

export function wantsThinking(body: Body): boolean {
  const type = (body.thinking as { type?: unknown } | undefined)?.type;
  // Left out, a model may think by default; only an explicit "disabled" says it must not.
  return type !== 'disabled';
}

export function planOf(body: Body): Plan {
  const { markers, rest } = parseMarkers(lastUserText(body));
  const has = (marker: Marker) => markers.has(marker);
  const thinks = wantsThinking(body);
  return {
    ...(has('think') && thinks ? { thinking: thinkingTextFor(rest) } : {}),
    redacted: has('redacted') && thinks,
    refuse: has('refuse'),
  };
}

