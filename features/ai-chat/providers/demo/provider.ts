import 'server-only';
import { ChatError } from '../../protocol/errors';
import { countO200kText } from '../bpe';
import type { ChatProvider, ProviderCompletion, ProviderEvent, ProviderRequest } from '../types';
import { cannedReply } from './canned-reply';

export interface DemoProviderOptions {
  /** Pause between words, so the reply streams as a real one would. Default 15 ms; 0 in tests. */
  wordDelayMs?: number;
}

/**
 * The offline demo model: a ChatProvider that writes a canned reply locally, word by word, and
 * reports its tokens at no cost. Offered only by `next dev` with no key (config: never in a
 * production server), and labelled "Offline demo" wherever it shows.
 */
export function createDemoProvider(options: DemoProviderOptions = {}): ChatProvider {
  const wordDelayMs = options.wordDelayMs ?? 15;
  async function* stream(request: ProviderRequest): AsyncIterable<ProviderEvent> {
    const text = cannedReply(request.messages);
    const prompt = request.messages.map((message) => message.content).join('\n');
    yield { type: 'accepted' };
    for (const word of text.split(/(?<=\s)/)) {
      if (request.signal?.aborted) throw new ChatError('aborted', 'The reply was stopped.');
      if (wordDelayMs > 0) await pause(wordDelayMs, request.signal);
      yield { type: 'text-delta', delta: word };
    }
    yield { type: 'usage', promptTokens: countO200kText(prompt), completionTokens: countO200kText(text), cachedPromptTokens: 0 };
    yield { type: 'finish', finishReason: 'stop' };
  }
  return {
    name: 'demo',
    stream,
    async complete(request): Promise<ProviderCompletion> {
      let text = '';
      for await (const event of stream(request)) if (event.type === 'text-delta') text += event.delta;
      const prompt = request.messages.map((message) => message.content).join('\n');
      return {
        text,
        toolCalls: [],
        usage: { promptTokens: countO200kText(prompt), completionTokens: countO200kText(text), cachedPromptTokens: 0 },
        finishReason: 'stop',
      };
    },
  };
}

function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
  });
}
