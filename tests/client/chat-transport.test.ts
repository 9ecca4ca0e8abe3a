// @vitest-environment jsdom
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ChatSession } from '@/features/ai-chat/client/chat-session';
import { httpChatTransport, type ChatTransport } from '@/features/ai-chat/client/chat-transport';
import { eventually } from '../support/chat-harness';
import { startChatBackend, type ChatBackend } from '../hooks/support/chat-backend';

/**
 * The session reaches the server only through its ChatTransport: a transport the app gives (here
 * the HTTP one, wrapped to record what passes) carries the turn, the conversation read, the
 * attach of a reply being written and the stop, against the real handler.
 */

let backend: ChatBackend;
const sessions: ChatSession[] = [];
beforeAll(async () => {
  backend = await startChatBackend();
});
afterAll(async () => {
  await backend?.close();
});
beforeEach(() => {
  backend.harness.openai.reset();
});
afterEach(() => {
  for (const session of sessions.splice(0)) session.dispose();
});

function recordingTransport(calls: string[]): ChatTransport {
  const http = httpChatTransport();
  return {
    sendTurn: (body, signal) => (calls.push(`send ${body.message ?? ''}`), http.sendTurn(body, signal)),
    attachReply: (id, signal) => (calls.push('attach'), http.attachReply(id, signal)),
    stopReply: (id) => (calls.push('stop'), http.stopReply(id)),
    loadConversation: (id, signal) => (calls.push('load'), http.loadConversation(id, signal)),
    switchBranch: (id, target) => (calls.push('switch'), http.switchBranch(id, target)),
  };
}

const words = (n: number) => Array.from({ length: n }, (_, i) => `w${i}`).join(' ');

describe('ChatSession over the transport it is given', () => {
  it('sends the turn, attaches to the reply from a second session, and stops it, all through the transport', async () => {
    backend.harness.openai.script({ text: words(60), delayMs: 30 });
    const first: string[] = [];
    const sender = new ChatSession({ transport: recordingTransport(first) });
    sessions.push(sender);
    const done = sender.sendMessage('Talk a lot');
    await eventually(async () => expect(sender.messages.getMessages()[1]?.content).toMatch(/w2/));

    // A second tab opens the conversation while the reply is being written.
    const second: string[] = [];
    const reader = new ChatSession({ transport: recordingTransport(second) });
    sessions.push(reader);
    await reader.load(sender.getState().conversationId!);
    await eventually(async () => expect(reader.messages.getMessages()[1]?.content).toMatch(/w4/));

    reader.stop();
    await done;
    await eventually(async () => expect(sender.messages.getMessages()[1]).toMatchObject({ state: 'partial' }));

    expect(first[0]).toBe('send Talk a lot');
    expect(second.slice(0, 2)).toEqual(['load', 'attach']);
    expect(second).toContain('stop');
    expect(first).not.toContain('stop');
  });
});
