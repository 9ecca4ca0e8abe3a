import { fileURLToPath } from 'node:url';
import { sleep, startProcess, tail, type RunningProcess } from './child-processes';
import { StepFailure } from './run-steps';
import type { ReplyShape } from './scripted-reply';

const ENTRY = fileURLToPath(new URL('./fake-openai-process.ts', import.meta.url));
const REPO = fileURLToPath(new URL('../..', import.meta.url));

export interface FakeOpenAIChild {
  /** Base URL for OPENAI_BASE_URL (`http://127.0.0.1:<port>/v1`). */
  url: string;
  process: RunningProcess;
}

/** Starts the fake OpenAI in its own process; it is stopped at clean-up. */
export async function startFakeOpenAIChild(shape: ReplyShape): Promise<FakeOpenAIChild> {
  const child = startProcess(
    'fake OpenAI',
    process.execPath,
    ['--import', 'tsx', ENTRY, '--words', String(shape.words), '--delay-ms', String(shape.delayMs)],
    { cwd: REPO },
  );
  const until = Date.now() + 30_000;
  while (Date.now() < until) {
    const line = /^\{"url":"([^"]+)"\}$/m.exec(child.output());
    if (line) return { url: line[1]!, process: child };
    if (child.hasExited()) break;
    await sleep(50);
  }
  throw new StepFailure('the fake OpenAI server did not start', tail(child.output()));
}
