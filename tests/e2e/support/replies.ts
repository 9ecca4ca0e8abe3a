import { createMarkerReplies, type FakeReply } from '../../support/fake-providers';

/** The text of the last user message in an OpenAI or Anthropic request body. */
export function lastUserText(body: Record<string, unknown>): string {
  // Chat Completions and Anthropic send `messages`; the Responses API sends `input`.
  const list = Array.isArray(body.messages) ? body.messages : Array.isArray(body.input) ? body.input : [];
  const messages = list as { role?: unknown; content?: unknown }[];
  const last = [...messages].reverse().find((message) => message.role === 'user');
  if (typeof last?.content === 'string') return last.content;
  if (Array.isArray(last?.content)) {
    return (last.content as { text?: unknown }[]).map((part) => (typeof part.text === 'string' ? part.text : '')).join('');
  }
  return '';
}

/** A reply with a highlighted code block and a table: what the screenshots and axe look at. */
export const CODE_AND_TABLE = `Wrap the handler so it runs only after the user **stops typing** for a moment:

\`\`\`ts
export function debounce<A extends unknown[]>(fn: (...args: A) => void, ms = 250) {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return (...args: A) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}

const search = debounce((query: string) => fetchResults(query), 300);
\`\`\`

| Technique | Runs | Good for |
| --- | --- | --- |
| Debounce | once, after the calls stop | search boxes, resize end, autosave |
| Throttle | at most once per interval | scroll, drag, pointer tracking |

Use *throttle* when the user should see progress while the events keep coming.`;

/** The title model's instructions (server/turn/model-title.ts). */
const TITLE_REQUEST = /You name chat conversations/;

/** Seconds the `[[429]]` answer asks the client to wait. */
export const RATE_LIMIT_RETRY_AFTER_SECONDS = 3;
/** How many words a `[[cut]]` reply streams before the connection drops. */
export const CUT_AFTER_WORDS = 6;

const MARKERS = /\[\[(429|500|cut|code)\]\]|\[(slow|long|fail)\]/g;

/**
 * The fakes' default answer, chosen by markers in the user's message, as scripts/fake-providers.ts
 * does for people (that script cannot be imported: it starts servers on fixed ports):
 * - "[fail]" answers HTTP 500, every time;
 * - "[[429]]" answers one 429 with `retry-after: 3` (the SDK waits it out), then normally;
 * - "[[500]]" answers one 500, then normally;
 * - "[[cut]]" streams a few words, then drops the connection, once (a Retry then succeeds);
 * - "[[code]]" answers CODE_AND_TABLE;
 * - "[slow]" streams a word every 150 ms, "[long]" streams 400 words;
 * - "[[think]]", "[[redacted]]", "[[refuse]]" are the fakes' own (tests/support/fake-providers/markers.ts).
 * Otherwise the reply echoes the message: "Echo from <model>: <text>".
 * "Once" is per message text, so each test's own wording gets its own first failure.
 */
export function createReplies(): (body: Record<string, unknown>) => FakeReply {
  const failedOnce = new Set<string>();
  const firstTime = (marker: string, text: string) => {
    const key = `${marker}\u0000${text}`;
    if (failedOnce.has(key)) return false;
    failedOnce.add(key);
    return true;
  };

  // Each fake adds the reasoning or refusal these markers ask for to whatever reply is chosen,
  // in its own wire format; the shared marker replies strip the markers from the echo.
  const markerReplies = createMarkerReplies();
  return (body) => {
    const text = lastUserText(body);
    // A title call (after a new chat's first reply, on the app with titles on): "Named <question>".
    // (The instructions travel as `system`, `instructions` or a system message, by wire format.)
    const question = TITLE_REQUEST.test(JSON.stringify(body)) ? /^User: (.*)$/m.exec(text)?.[1] : undefined;
    if (question !== undefined) return { text: `Named ${question.slice(0, 60)}` };
    if (/\[\[(think|redacted|refuse)\]\]/.test(text)) return markerReplies(body);
    if (text.includes('[fail]')) return { httpError: { status: 500 } };
    if (text.includes('[[429]]') && firstTime('429', text)) {
      return { httpError: { status: 429, retryAfter: String(RATE_LIMIT_RETRY_AFTER_SECONDS) } };
    }
    if (text.includes('[[500]]') && firstTime('500', text)) return { httpError: { status: 500 } };
    const model = typeof body.model === 'string' ? body.model : 'model';
    const slow = text.includes('[slow]');
    if (text.includes('[[code]]')) return { text: CODE_AND_TABLE, chunks: 40, delayMs: slow ? 40 : 5 };
    const reply: FakeReply = text.includes('[long]')
      ? {
          text: `Long reply from ${model}: ${Array.from({ length: 400 }, (_, index) => `word${index}`).join(' ')}`,
          delayMs: slow ? 40 : 5,
        }
      : { text: `Echo from ${model}: ${text.replace(MARKERS, '').trim()}`, delayMs: slow ? 150 : 5 };
    if (text.includes('[[cut]]') && firstTime('cut', text)) return { ...reply, delayMs: 60, failAfterChunks: CUT_AFTER_WORDS };
    return reply;
  };
}
