import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseChatEnv } from '@/features/ai-chat/config/env';
import { handlerOptionsFromEnv } from '@/features/ai-chat/server/http/env-options';
import { createDemoProvider } from '@/features/ai-chat/providers/demo/provider';
import { chatConfigSchema, usageResponseSchema } from '@/features/ai-chat/protocol/rest';
import { startChatHarness, type ChatHarness } from '../support/chat-harness';
import { readChatEvents, textOf } from '../support/sse';

/**
 * The first run chats: `next dev` with no key offers the offline demo model, labelled as what it
 * is, free and local. It never stands in anywhere else.
 */
describe('when the offline demo model stands in', () => {
  it('only a development server with no key and no opt-out gets it', () => {
    expect(parseChatEnv({ NODE_ENV: 'development' }).demo).toBe(true);
    expect(parseChatEnv({ NODE_ENV: 'development', OPENAI_API_KEY: 'sk-x' }).demo).toBe(false);
    expect(parseChatEnv({ NODE_ENV: 'development', ANTHROPIC_API_KEY: 'sk-ant-x' }).demo).toBe(false);
    expect(parseChatEnv({ NODE_ENV: 'development', AI_CHAT_DEMO: 'off' }).demo).toBe(false);
    expect(parseChatEnv({ NODE_ENV: 'production', AI_CHAT_STORE: 'embedded' }).demo).toBe(false);
    expect(parseChatEnv({ NODE_ENV: 'test' }).demo).toBe(false);
    expect(parseChatEnv({}).demo).toBe(false);
  });

  it('the handler the environment describes chats with it by default in development, and never in production', () => {
    const dev = handlerOptionsFromEnv(parseChatEnv({ NODE_ENV: 'development', AI_CHAT_DATA_DIR: 'memory://' }));
    expect(Object.keys(dev.providers)).toEqual(['demo']);
    expect(dev.defaultProvider).toBe('demo');
    const production = handlerOptionsFromEnv(parseChatEnv({ NODE_ENV: 'production', AI_CHAT_STORE: 'embedded', AI_CHAT_DATA_DIR: 'memory://' }));
    expect(production.providers).toEqual({});
    expect(production.defaultProvider).toBe('openai');
  });
});

describe('a chat with the offline demo model', () => {
  let chat: ChatHarness;
  beforeAll(async () => {
    chat = await startChatHarness({ providers: { demo: createDemoProvider({ wordDelayMs: 0 }) }, defaultProvider: 'demo' });
  });
  afterAll(async () => {
    await chat?.close();
  });

  it('is offered as "Offline demo", the only provider, and answers in words that say it is canned, at no cost', async () => {
    const config = chatConfigSchema.parse(await (await chat.call('GET', '/config')).json());
    expect(config.defaultProvider).toBe('demo');
    expect(config.providers.map((provider) => [provider.name, provider.configured])).toEqual([
      ['openai', false],
      ['anthropic', false],
      ['demo', true],
    ]);
    expect(config.providers.find((provider) => provider.name === 'demo')!.labels).toEqual({ 'offline-demo': { name: 'Offline demo', note: 'canned replies, no AI' } });

    const events = await readChatEvents(await chat.post({ message: 'Hello there, what can you do?' }));
    expect(events.find((event) => event.type === 'error')).toBeUndefined();
    const reply = textOf(events);
    expect(reply).toMatch(/^\*\*Offline demo model\*\* — this is a canned reply/);
    expect(reply).toContain('You wrote: “Hello there, what can you do?”');
    expect(reply).toContain('OPENAI_API_KEY=');
    const usage = usageResponseSchema.parse(await (await chat.call('GET', '/usage')).json()).usage;
    expect(usage.costThisMonth).toMatch(/^0(\.0+)?$/);
    expect(usage.tokensToday).toBeGreaterThan(0);
  });
});

describe('a server with real keys', () => {
  let chat: ChatHarness;
  beforeAll(async () => {
    chat = await startChatHarness();
  });
  afterAll(async () => {
    await chat?.close();
  });

  it('does not list the demo model at all, and names models for people', async () => {
    const config = chatConfigSchema.parse(await (await chat.call('GET', '/config')).json());
    expect(config.providers.map((provider) => provider.name)).toEqual(['openai', 'anthropic']);
    expect(config.providers[0]!.labels).toMatchObject({ 'gpt-4o': { name: 'GPT-4o', note: 'smart, reads images and PDFs' }, 'gpt-4o-mini': { name: 'GPT-4o mini', note: expect.stringMatching(/^fast/) } });
    expect(config.providers[1]!.labels!['claude-haiku-4-5']).toMatchObject({ name: 'Claude Haiku 4.5', note: expect.stringMatching(/^fast/) });
    const refused = await chat.post({ message: 'hi', provider: 'demo' });
    expect(refused.ok).toBe(false);
  });
});
