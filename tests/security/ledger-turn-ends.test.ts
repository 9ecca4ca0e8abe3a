import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineTool } from '@/features/ai-chat/server/http/chat-handler';
import { readChatEvents } from '../support/sse';
import { databaseKinds } from '../support/test-databases';
import { openLedgerRig, totals, userRig, type LedgerRig } from './ledger-harness';

/** Issue 10, finding 10: every turn ends with `finish` or `error`, and settles. */
describe.each(databaseKinds())('a turn that throws still ends and settles, on %s', (kind) => {
  let rig: LedgerRig;
  beforeAll(async () => {
    rig = await openLedgerRig(kind);
  });
  afterAll(async () => {
    await rig?.close();
  });
  beforeEach(() => rig.openai.reset());

  it('a tool that returns a BigInt does not leave the stream hanging at tool-call nor the usage reserved', async () => {
    const count = defineTool({ name: 'count', description: 'Counts.', parameters: z.object({}), execute: () => ({ total: BigInt(2) ** BigInt(70) }) });
    const user = await userRig(rig, { tools: [count] });
    rig.openai.script({ toolCalls: [{ name: 'count', args: {} }] }, { text: 'A big number.' });
    const events = await readChatEvents(await user.post({ message: 'Count' }));
    expect(events.map((event) => event.type)).toEqual(['start', 'tool-call', 'tool-result', 'text-delta', 'text-delta', 'text-delta', 'usage', 'finish']);
    expect(events.find((event) => event.type === 'tool-result')).toMatchObject({ result: { total: '1180591620717411303424' } });
    expect(totals(await user.usage()).reserved).toBe(0);
  });

  it('a tool whose result cannot be JSON (a cycle) gives the model an error and the turn finishes', async () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const loop = defineTool({ name: 'loop', description: 'Loops.', parameters: z.object({}), execute: () => cyclic });
    const user = await userRig(rig, { tools: [loop] });
    rig.openai.script({ toolCalls: [{ name: 'loop', args: {} }] }, { text: 'Sorry.' });
    const events = await readChatEvents(await user.post({ message: 'Loop' }));
    expect(events.at(-1)).toMatchObject({ type: 'finish' });
    expect(events.find((event) => event.type === 'tool-result')).toMatchObject({ result: { error: expect.stringMatching(/cannot be sent/) } });
    expect(totals(await user.usage()).reserved).toBe(0);
  });

  it('a hook that throws after the reply cannot undo the settle or the finish', async () => {
    const user = await userRig(rig, {
      onFinish: () => {
        throw new Error('the app broke');
      },
    });
    const events = await readChatEvents(await user.post({ message: 'Hi' }));
    expect(events.at(-1)!.type).toBe('finish');
    expect(totals(await user.usage()).reserved).toBe(0);
  });
});
