import { parentPort, workerData } from 'node:worker_threads';
import { startFakeOpenAI, type FakeReply } from '../../tests/support/fake-providers';

/**
 * The loopback fake OpenAI on its own thread, so producing 1,000 frames never runs on the event
 * loop being measured (a real provider is another machine). Messages: script, close.
 */
type Command = { type: 'script'; replies: FakeReply[] } | { type: 'close' };

const { defaultReply } = workerData as { defaultReply: FakeReply };
const fake = await startFakeOpenAI({ defaultReply });
parentPort!.on('message', (command: Command) => {
  if (command.type === 'script') {
    fake.script(...command.replies);
    parentPort!.postMessage({ type: 'scripted' });
  } else {
    void fake.close().then(() => parentPort!.close());
  }
});
parentPort!.postMessage({ type: 'ready', url: fake.url });
