import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { onCleanup } from './run-steps';

const SCRIPT = fileURLToPath(new URL('../local-postgres.sh', import.meta.url));
const run = promisify(execFile);

/**
 * A fresh database on the machine's PostgreSQL (scripts/local-postgres.sh starts the server and
 * creates it), dropped at clean-up; null when there is no local PostgreSQL, with the reason.
 */
export async function freshLocalDatabase(): Promise<{ url: string } | { url: null; why: string }> {
  try {
    const { stdout } = await run(SCRIPT, [], { timeout: 60_000 });
    const url = stdout.trim().split('\n').at(-1)!;
    if (!/^postgres(ql)?:\/\//.test(url)) return { url: null, why: `scripts/local-postgres.sh printed no URL (${stdout.slice(0, 200)})` };
    const name = decodeURIComponent(new URL(url).pathname.slice(1));
    onCleanup(`drop the database ${name}`, () => run(SCRIPT, ['drop', name], { timeout: 60_000 }).then(() => undefined));
    return { url };
  } catch (error) {
    const detail = error as { stderr?: string; message?: string };
    return { url: null, why: (detail.stderr || detail.message || String(error)).trim().split('\n').at(-1)! };
  }
}
