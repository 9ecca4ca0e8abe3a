import path from 'node:path';
import { freePort, runProcess, startProcess, waitForHttp, type RunningProcess } from './child-processes';
import { startFakeOpenAIChild } from './fake-openai-child';
import type { ReplyShape } from './scripted-reply';
import { step } from './run-steps';

/**
 * How long a proof waits for one answer from its app (a start, a page, a chat turn): a harness
 * limit, not a claim. CI runs the proofs at nice 19 beside the suites, on the CPU they leave idle,
 * where one answer can wait minutes for it; a hang still fails, within the proof's deadline.
 */
export const PROOF_WAIT_MS = 10 * 60_000;

/**
 * The two proofs' shared ending: `next build` of the fresh app, then `next start` on the embedded
 * store against a fake OpenAI on loopback (its own process). The steps are reported as the
 * proofs' own.
 */
export async function buildAndStartFreshApp(app: string, reply: ReplyShape): Promise<{ base: string; server: RunningProcess }> {
  const next = path.join(app, 'node_modules/.bin/next');
  await step('next build', () =>
    runProcess('next build', next, ['build'], {
      cwd: app,
      env: { NEXT_TELEMETRY_DISABLED: '1', NODE_ENV: 'production' },
      timeoutMs: 12 * 60_000,
    }),
  );
  return step('start the app against a fake OpenAI', async () => {
    const fake = await startFakeOpenAIChild(reply);
    const port = await freePort();
    const server = startProcess('next start', next, ['start', '-H', '127.0.0.1', '-p', String(port)], {
      cwd: app,
      env: {
        NODE_ENV: 'production',
        NEXT_TELEMETRY_DISABLED: '1',
        // The README: in production the embedded store starts only when chosen explicitly.
        AI_CHAT_STORE: 'embedded',
        AI_CHAT_DATA_DIR: path.join(app, '.data/ai-chat'),
        OPENAI_API_KEY: 'sk-fake',
        OPENAI_BASE_URL: fake.url,
      },
    });
    const base = `http://127.0.0.1:${port}`;
    await waitForHttp(`${base}/api/chat/config`, server, PROOF_WAIT_MS);
    return { base, server };
  });
}
