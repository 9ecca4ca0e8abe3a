import OpenAI from 'openai';

// Benchmark reference (scripts/lib/planted-routes.ts): Next + the OpenAI SDK, no ai-chat module.
const client = new OpenAI({ apiKey: process.env.OPENAI_API_KEY ?? 'sk-none', baseURL: process.env.OPENAI_BASE_URL, maxRetries: 0 });
const encoder = new TextEncoder();
const frame = (event: unknown) => encoder.encode(`data: ${JSON.stringify(event)}\n\n`);

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
