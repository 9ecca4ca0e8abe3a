import type { ChatProvider, ProviderCompletion, ProviderEvent, ProviderName, ProviderRequest } from '@/features/ai-chat/providers/types';
import { ChatError } from '@/features/ai-chat/protocol/errors';

/** A pause on the scripted stream, so the server's timing of reasoning can be seen. */
export type ScriptStep = ProviderEvent | { type: 'wait'; ms: number };

/**
 * A ChatProvider that yields scripted provider events, one script per call, and keeps every
 * request it was given. For pipeline tests: the adapters that turn wire formats into these
 * events are tested against loopback servers in tests/providers.
 */
export interface ScriptedProvider extends ChatProvider {
  requests: ProviderRequest[];
  script(...calls: ScriptStep[][]): void;
}

export function scriptedProvider(name: ProviderName): ScriptedProvider {
  const queue: ScriptStep[][] = [];
  const requests: ProviderRequest[] = [];
  async function* stream(request: ProviderRequest): AsyncGenerator<ProviderEvent> {
    requests.push(structuredClone({ ...request, signal: undefined, onRetry: undefined }));
    const steps = queue.shift();
    if (!steps) throw new ChatError('provider_error', `no script left for ${name}`);
    for (const step of steps) {
      if (request.signal?.aborted) throw new ChatError('aborted', 'The reply was stopped.');
      if (step.type === 'wait') await pause(step.ms, request.signal);
      else yield step;
    }
  }
  return {
    name,
    requests,
    script: (...calls) => void queue.push(...calls),
    stream,
    async complete(request): Promise<ProviderCompletion> {
      let text = '';
      for await (const event of stream(request)) if (event.type === 'text-delta') text += event.delta;
      return { text, toolCalls: [], usage: { promptTokens: 0, completionTokens: 0, cachedPromptTokens: 0 }, finishReason: 'stop' };
    },
  };
}

/** What a provider reports for a call that went well. */
export function usage(promptTokens: number, completionTokens: number, extra: Partial<Extract<ProviderEvent, { type: 'usage' }>> = {}): ProviderEvent {
  return { type: 'usage', promptTokens, completionTokens, cachedPromptTokens: 0, ...extra };
}

/** Waits, or stops waiting the moment the request is aborted (as an SDK's stream does). */
function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(new ChatError('aborted', 'The reply was stopped.'));
      },
      { once: true },
    );
  });
}
