import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatEvent } from '@/features/ai-chat/protocol/chat-events';
import { startChatHarness, type ChatHarness } from '../support/chat-harness';
import { readChatEvents, textOf } from '../support/sse';

/**
 * A provider's stream that breaks after some of the reply arrived: the person is told the
 * connection was lost mid-reply and that they can retry, not that the provider could not be
 * reached (it was). A provider that cannot be reached at all still says so.
 */
describe('a reply whose connection drops', () => {
  let chat: ChatHarness;
  beforeAll(async () => {
    chat = await startChatHarness({}, { openai: {}, anthropic: {} });
  });
  afterAll(async () => {
    await chat?.close();
  });

  for (const provider of ['openai', 'anthropic'] as const) {
    it(`${provider}: says the connection was lost mid-reply, keeps what arrived, and may be retried`, async () => {
      chat[provider].script({ text: 'one two three four five six seven eight', chunks: 8, failAfterChunks: 3 });
      const events = await readChatEvents(await chat.post({ message: 'Count', provider }));
      const error = events.find((event): event is Extract<ChatEvent, { type: 'error' }> => event.type === 'error');
      expect(textOf(events)).toMatch(/^one/);
      expect(error).toMatchObject({ code: 'network' });
      expect(error?.message).toBe(`The connection to ${provider === 'openai' ? 'OpenAI' : 'Anthropic'} was lost mid-reply. What arrived is kept; retry to answer again.`);
      expect(error?.message).not.toMatch(/Could not reach/);
    });
  }
});
