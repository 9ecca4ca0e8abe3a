import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { modelPolicy } from '@/features/ai-chat/server/http/handler-options';
import { parseChatEnv } from '@/features/ai-chat/config/env';
import { readChatEvents } from '../support/sse';
import { databaseKinds } from '../support/test-databases';
import { openLedgerRig, userRig, type LedgerRig } from './ledger-harness';

/** Issue 10, finding 3: a model nobody offered, or nobody priced, cannot run up a bill. */
describe.each(databaseKinds())('models a user may pick, on %s', (kind) => {
  let rig: LedgerRig;
  beforeAll(async () => {
    rig = await openLedgerRig(kind);
  });
  afterAll(async () => {
    await rig?.close();
  });
  beforeEach(() => rig.openai.reset());

  it('with no model list, only the default model is accepted', async () => {
    const user = await userRig(rig, { models: {} });
    const refused = await user.post({ message: 'Hi', model: 'o1-pro' });
    expect(refused.status).toBe(400);
    expect((await refused.json()).error).toMatchObject({ code: 'bad_request', field: 'model' });
    expect(rig.openai.requests).toHaveLength(0);
    const allowed = await user.post({ message: 'Hi' });
    expect(allowed.status).toBe(200);
    await readChatEvents(allowed);
    expect(rig.openai.requests[0]!.body.model).toBe('gpt-5-mini');
  });

  it('an unpriced model is refused while a cost limit is set, in words that say why', async () => {
    const user = await userRig(rig, {
      models: { openai: { defaultModel: 'gpt-4o', allowedModels: ['gpt-4o', 'house-model'] } },
      limits: { maxCostPerMonth: '0.000001' },
    });
    const refused = await user.post({ message: 'Hi', model: 'house-model' });
    expect(refused.status).toBe(400);
    const { error } = await refused.json();
    expect(error).toMatchObject({ code: 'bad_request', field: 'model' });
    expect(error.message).toMatch(/no known price/);
    expect(rig.openai.requests).toHaveLength(0);
    expect(await user.usage()).toEqual([]);
  });

  it('an unpriced model runs at the operator\'s fallback price, which counts against the cost limit', async () => {
    const user = await userRig(rig, {
      models: { openai: { defaultModel: 'gpt-4o', allowedModels: ['gpt-4o', 'house-model'] } },
      limits: { maxCostPerMonth: '1' },
      unpricedModelPrice: { input: '10', output: '30' },
    });
    rig.openai.script({ text: 'Hello.', usage: { promptTokens: 1_000, completionTokens: 1_000 } });
    const events = await readChatEvents(await user.post({ message: 'Hi', model: 'house-model', maxTokens: 1_000 }));
    expect(events.at(-1)!.type).toBe('finish');
    expect(events.find((event) => event.type === 'usage')).toMatchObject({ cost: '0.04' });
    expect(await user.usage()).toMatchObject([{ status: 'settled', model: 'house-model', cost: '0.0400000000' }]);
  });

  it('the environment: unset lists mean the default only, and a fallback price is read', () => {
    const env = parseChatEnv({ NODE_ENV: 'test', OPENAI_API_KEY: 'sk-x', AI_CHAT_UNPRICED_MODEL_PRICE: '15, 60' });
    expect(env.AI_CHAT_OPENAI_MODELS).toBeUndefined();
    expect(modelPolicy({ store: { forRequest: async () => null, replies: undefined as never, close: async () => {} }, providers: {} }, 'openai').allowedModels).toEqual(['gpt-5-mini']);
    expect(env.AI_CHAT_UNPRICED_MODEL_PRICE).toEqual({ input: '15', output: '60' });
    expect(() => parseChatEnv({ NODE_ENV: 'test', AI_CHAT_UNPRICED_MODEL_PRICE: 'cheap' })).toThrow(/AI_CHAT_UNPRICED_MODEL_PRICE/);
  });
});
