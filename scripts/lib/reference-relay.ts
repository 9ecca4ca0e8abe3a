import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * The reference the load scripts measure the module against, side by side in one run: a route
 * that only relays the provider's stream through Next and the official OpenAI SDK, as the chat's
 * own events, with no module code (no store, no limits, no checkpoints). What it costs is the floor
 * of Next plus the SDK on this machine; what the chat route costs above it is the module's.
 * Written into the load tests' build copy only (scripts/lib/built-app-copy.ts), never the app.
 */
export const REFERENCE_RELAY_ROUTE = '/api/reference-relay';

/** Bump when the source below changes: it is part of the build copy's hash. */
export const REFERENCE_RELAY_VERSION = 'reference-relay-1';

const SOURCE = `import OpenAI from 'openai';

// Benchmark reference (scripts/lib/reference-relay.ts): Next + the OpenAI SDK, no ai-chat module.
const client = new OpenAI({ apiKey: process.env.OPENAI_API_KEY ?? 'sk-none', baseURL: process.env.OPENAI_BASE_URL, maxRetries: 0 });
const encoder = new TextEncoder();
const frame = (event: unknown) => encoder.encode(\`data: \${JSON.stringify(event)}\\n\\n\`);

export async function POST(request: Request): Promise<Response> {
  const { message } = (await request.json()) as { message: string };
  const model = 'gpt-4o-mini';
  const stream = await client.chat.completions.create(
    { model, stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: message }] },
    { signal: request.signal },
  );
  const chunks = stream[Symbol.asyncIterator]();
  const id = crypto.randomUUID();
  let started = false;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!started) {
        started = true;
        controller.enqueue(frame({ type: 'start', conversationId: id, userMessageId: crypto.randomUUID(), assistantMessageId: id, provider: 'openai', model }));
      }
      for (;;) {
        const next = await chunks.next();
        if (next.done) {
          controller.enqueue(frame({ type: 'finish', messageId: id, finishReason: 'stop' }));
          controller.close();
          return;
        }
        const chunk = next.value;
        const delta = chunk.choices[0]?.delta?.content;
        if (delta) return controller.enqueue(frame({ type: 'text-delta', delta }));
        if (chunk.usage) {
          const { prompt_tokens: promptTokens, completion_tokens: completionTokens } = chunk.usage;
          return controller.enqueue(
            frame({ type: 'usage', promptTokens, completionTokens, totalTokens: promptTokens + completionTokens, cost: null, cachedPromptTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 }),
          );
        }
      }
    },
  });
  return new Response(body, { headers: { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache, no-transform' } });
}
`;

/** Writes the reference route into a build copy's app folder. */
export async function writeReferenceRelay(appDir: string): Promise<void> {
  const file = path.join(appDir, 'app', ...REFERENCE_RELAY_ROUTE.split('/').filter(Boolean), 'route.ts');
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, SOURCE);
}
