// @vitest-environment jsdom
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ChatSession } from '@/features/ai-chat/client/chat-session';
import { eventually } from '../support/chat-harness';
import { startChatBackend, type ChatBackend } from '../hooks/support/chat-backend';

/** A reply the server ends at its time limit (issue 12's `maxReplySeconds`) is no reader's Stop. */

let backend: ChatBackend;
let sessions: ChatSession[] = [];
beforeAll(async () => {
  backend = await startChatBackend({ maxReplySeconds: 1 });
});
afterAll(async () => {
  await backend?.close();
});
beforeEach(() => {
  backend.server.resetHandlers();
  backend.harness.openai.reset();
});
afterEach(() => {
  for (const session of sessions) session.dispose();
  sessions = [];
});

function newSession(): ChatSession {
  const session = new ChatSession();
  sessions.push(session);
  return session;
}

const words = (count: number) => Array.from({ length: count }, (_, i) => `w${i}`).join(' ');

describe('ChatSession: the server’s time limit', () => {
  it('a reply cut at the time limit says so in the server’s words, not as a Stop, and keeps saying so once saved', async () => {
    backend.harness.openai.script({ text: words(200), delayMs: 25 });
    const session = newSession();
    await session.sendMessage('Talk for long');

    const reply = await eventually(async () => {
      const shown = session.messages.getMessages()[1]!;
      expect(shown.tokens).not.toBeNull();
      return shown;
    });
    expect(reply).toMatchObject({ state: 'partial', error: null, notice: 'The reply reached its time limit of 1 s.' });
    expect(reply.content).toMatch(/^w0 w1/);
    expect(session.getState()).toMatchObject({ status: 'idle', error: null });
  });

  it('a reply the reader stops has no notice: it is just "Stopped"', async () => {
    backend.harness.openai.script({ text: words(200), delayMs: 25 });
    const session = newSession();
    const done = session.sendMessage('Talk for long');
    await eventually(async () => expect(session.messages.getMessages()[1]?.content).toMatch(/w2/));

    session.stop();
    await done;
    const reply = await eventually(async () => {
      const shown = session.messages.getMessages()[1]!;
      expect(shown.tokens).not.toBeNull();
      return shown;
    });
    expect(reply).toMatchObject({ state: 'partial', error: null, notice: null });

    // Opened again (a reload): still just "Stopped".
    const reopened = newSession();
    await reopened.load(session.getState().conversationId!);
    expect(reopened.messages.getMessages()[1]).toMatchObject({ state: 'partial', notice: null });
  });

  it('a reply stopped in another tab reads "Stopped" there too: one wording, no notice', async () => {
    backend.harness.openai.script({ text: words(200), delayMs: 25 });
    const stopper = newSession();
    const done = stopper.sendMessage('Talk for long');
    await eventually(async () => expect(stopper.messages.getMessages()[1]?.content).toMatch(/w1/));
    const watcher = newSession();
    await watcher.load(stopper.getState().conversationId!);
    await eventually(async () => expect(watcher.messages.getMessages()[1]?.content).toMatch(/w3/));

    stopper.stop();
    await done;
    const seen = await eventually(async () => {
      const shown = watcher.messages.getMessages()[1]!;
      expect(shown.state).toBe('partial');
      expect(shown.tokens).not.toBeNull();
      return shown;
    });
    expect(seen).toMatchObject({ state: 'partial', error: null, notice: null });
  });

  it('opened again after a reload, a reply cut at the time limit still says so, not "Stopped"', async () => {
    backend.harness.openai.script({ text: words(200), delayMs: 25 });
    const session = newSession();
    await session.sendMessage('Talk for long');
    await eventually(async () => expect(session.messages.getMessages()[1]?.tokens).not.toBeNull());

    const reopened = newSession();
    await reopened.load(session.getState().conversationId!);
    expect(reopened.messages.getMessages()[1]).toMatchObject({
      state: 'partial',
      error: null,
      notice: 'The reply reached its time limit of 1 s.',
    });
  });
});
