import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ChatEvent } from '@/features/ai-chat/protocol/chat-events';
import { parseChatEnv } from '@/features/ai-chat/config/env';
import { startChatHarness, type ChatHarness } from '../../support/chat-harness';
import { readEvents } from '../../support/event-reader';
import { startTestMcpServer, type TestMcpServer } from '../../support/mcp-server';
import { readChatEvents, textOf } from '../../support/sse';

/**
 * Issue 22, MCP tools in a chat turn through the real handler: the model sees them, a call's
 * result reaches the (fake) model, one that acts waits for approval, a failing or missing server
 * never fails the turn, and the call is inside the turn's ledger (one settled usage row).
 */

type Start = Extract<ChatEvent, { type: 'start' }>;

describe('MCP tools in a chat', () => {
  let mcp: TestMcpServer;
  let h: ChatHarness;
  const logged: string[] = [];

  beforeAll(async () => {
    mcp = await startTestMcpServer();
    vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => {
      logged.push(args.map(String).join(' '));
    });
    h = await startChatHarness({
      mcpServers: [
        { name: 'dict', url: mcp.url, allowPrivateNetwork: true, tools: { deny: ['hang'] } },
        { name: 'slow', url: mcp.url, allowPrivateNetwork: true, callTimeoutMs: 200, tools: { allow: ['hang'] } },
        { name: 'gone', url: 'http://127.0.0.1:9/mcp', allowPrivateNetwork: true },
      ],
    });
  });
  afterAll(async () => {
    await h?.close();
    await mcp?.close();
    vi.restoreAllMocks();
  });
  beforeEach(() => {
    h.openai.reset();
    mcp.calls.length = 0;
  });

  it('offers the server\'s tools to the model, and a call\'s result reaches the model, inside the turn\'s ledger', async () => {
    h.openai.script({ toolCalls: [{ name: 'dict__lookup', args: { word: 'quince' } }] }, { text: 'A quince is a fruit.', usage: { promptTokens: 40, completionTokens: 6 } });
    const events = await readChatEvents(await h.post({ message: 'What is a quince?' }));
    // Nothing logged about the server that is up (were it, this says why).
    expect(logged.filter((line) => line.includes('"dict"'))).toEqual([]);
    const offered = (h.openai.requests[0]!.body.tools as { function: { name: string } }[]).map((tool) => tool.function.name);
    expect(offered).toEqual(expect.arrayContaining(['dict__lookup', 'dict__send_email']));
    expect(offered.some((name) => name.startsWith('gone__'))).toBe(false);
    expect(mcp.calls).toEqual([{ name: 'lookup', args: { word: 'quince' } }]);
    expect(events.find((event) => event.type === 'tool-result')).toMatchObject({ result: { content: 'quince: a small hard fruit.' } });
    expect(JSON.stringify(h.openai.requests[1]!.body.messages)).toContain('quince: a small hard fruit.');
    expect(textOf(events)).toBe('A quince is a fruit.');
    // Both provider calls of the turn, the one reading the MCP result included, in one settled usage row.
    const start = events[0] as Start;
    const usage = await h.sql<{ status: string; prompt_tokens: number; message_id: string }>(
      `select status, prompt_tokens, message_id from public.ai_chat_usage where message_id = $1`,
      [start.assistantMessageId],
    );
    expect(usage).toHaveLength(1);
    expect(usage[0]!.status).toBe('settled');
    expect(usage[0]!.prompt_tokens).toBeGreaterThan(40);
  });

  it('never answers from the response cache where MCP servers offer tools: the same question at temperature 0 asks the model again', async () => {
    // A cached answer would skip the tools a turn offers (and their results, which change).
    const cached = await startChatHarness({ responseCache: { ttlSeconds: 60 }, mcpServers: [{ name: 'dict', url: mcp.url, allowPrivateNetwork: true, tools: { deny: ['hang'] } }] });
    try {
      cached.openai.script({ text: 'First answer.' }, { text: 'Second answer.' });
      const first = textOf(await readChatEvents(await cached.post({ message: 'Same question', temperature: 0 })));
      const second = textOf(await readChatEvents(await cached.post({ message: 'Same question', temperature: 0 })));
      expect([first, second]).toEqual(['First answer.', 'Second answer.']);
      expect(cached.openai.requests).toHaveLength(2);
    } finally {
      await cached.close();
    }
  });

  it('a tool not marked read-only waits for the person; approved, it runs', async () => {
    h.openai.script({ toolCalls: [{ name: 'dict__send_email', args: { to: 'bob@example.com', body: 'hi' } }] }, { text: 'Sent.' });
    const reply = readEvents(await h.post({ message: 'Email Bob' }));
    const start = (await reply.waitFor('start')) as Start;
    const request = await reply.waitFor('tool-approval-request');
    expect(request).toMatchObject({ name: 'dict__send_email', args: { to: 'bob@example.com', body: 'hi' } });
    expect(mcp.calls).toEqual([]);
    const answered = await h.call('POST', `/replies/${start.assistantMessageId}/approvals/${request.approvalId}`, { approved: true });
    expect(answered.status).toBe(200);
    const events = await reply.done;
    expect(mcp.calls).toEqual([{ name: 'send_email', args: { to: 'bob@example.com', body: 'hi' } }]);
    expect(events.find((event) => event.type === 'tool-result')).toMatchObject({ result: { content: 'sent to bob@example.com' } });
  });

  it('a server error and a hanging tool come back to the model as tool errors; the reply still ends well', async () => {
    h.openai.script({ toolCalls: [{ name: 'dict__broken', args: {} }, { name: 'slow__hang', args: {} }] }, { text: 'Both failed, sorry.' });
    const response = await h.post({ message: 'Try the tools' });
    expect(response.status).toBe(200);
    const events = await readChatEvents(response);
    const results = events.filter((event) => event.type === 'tool-result').map((event) => (event as { result: { error: string } }).result.error);
    expect(results[0]).toContain('the backend is on fire');
    expect(results[1]).toMatch(/did not answer within 200 ms/);
    expect(events.at(-1)).toMatchObject({ type: 'finish', finishReason: 'stop' });
  });

  it('a server that was down at start is logged, and the chat works without its tools', () => {
    expect(logged.join('\n')).toContain('MCP server "gone" is not reachable; the chat goes on without its tools');
  });

  it('reads the servers from AI_CHAT_MCP_SERVERS, refusing a bad entry with a clear message', () => {
    const env = parseChatEnv({ AI_CHAT_MCP_SERVERS: JSON.stringify([{ name: 'docs', url: 'https://mcp.example.com/mcp', headers: { authorization: 'Bearer ${T}' } }]) });
    expect(env.AI_CHAT_MCP_SERVERS).toEqual([{ name: 'docs', url: 'https://mcp.example.com/mcp', headers: { authorization: 'Bearer ${T}' } }]);
    expect(() => parseChatEnv({ AI_CHAT_MCP_SERVERS: '[{"name":"a__b","url":"ftp://x"}]' })).toThrow(/AI_CHAT_MCP_SERVERS/);
    expect(() => parseChatEnv({ AI_CHAT_MCP_SERVERS: 'not json' })).toThrow(/not JSON/);
  });
});
