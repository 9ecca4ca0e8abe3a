// @vitest-environment jsdom
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ChatSession } from '@/features/ai-chat/client/chat-session';
import { eventually } from '../support/chat-harness';
import { startChatBackend, type ChatBackend } from '../hooks/support/chat-backend';

/** Two tabs of one browser on one chat: a message sent in one shows in the other, with its reply. */

let backend: ChatBackend;
const sessions: ChatSession[] = [];
beforeAll(async () => {
  backend = await startChatBackend();
});
afterAll(async () => {
  await backend?.close();
});
afterEach(() => {
  for (const session of sessions.splice(0)) session.dispose();
});

function tab(): ChatSession {
  const session = new ChatSession();
  sessions.push(session);
  return session;
}

describe('ChatSession: a second tab', () => {
  it('shows a message sent in the first tab, and its reply, without a reload', async () => {
    backend.harness.openai.script({ text: 'First answer.' }, { text: 'Second answer, read live.', chunks: 6, delayMs: 20 });
    const first = tab();
    await first.sendMessage('Opening question');
    const conversationId = first.getState().conversationId!;
    const second = tab();
    await second.load(conversationId);
    expect(second.messages.getMessages().map((m) => m.content)).toEqual(['Opening question', 'First answer.']);

    await first.sendMessage('Sent from the first tab');
    await eventually(async () =>
      expect(second.messages.getMessages().map((m) => m.content)).toEqual([
        'Opening question',
        'First answer.',
        'Sent from the first tab',
        'Second answer, read live.',
      ]),
    );
    expect(second.getState().status).toBe('idle');
  });
});
