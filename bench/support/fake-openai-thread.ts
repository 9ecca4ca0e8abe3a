import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import type { FakeReply } from '../../tests/support/fake-providers';

export interface FakeOpenAIThread {
  /** Base URL for the SDK (`baseURL`). */
  url: string;
  /** Queue replies for the next requests; the default reply answers the rest. */
  script(...replies: FakeReply[]): Promise<void>;
  close(): Promise<void>;
}

/** Starts the fake OpenAI server on a worker thread; `defaultReply` answers every unscripted request. */
export async function startFakeOpenAIThread(defaultReply: FakeReply): Promise<FakeOpenAIThread> {
  const worker = new Worker(new URL('./fake-openai-worker.mjs', import.meta.url), { workerData: { defaultReply } });
  const [ready] = (await once(worker, 'message')) as [{ type: 'ready'; url: string }];
  return {
    url: ready.url,
    async script(...replies) {
      worker.postMessage({ type: 'script', replies });
      await once(worker, 'message');
    },
    async close() {
      worker.postMessage({ type: 'close' });
      await once(worker, 'exit');
    },
  };
}
