import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * `npm run fake-providers` when its port is taken: it says which port and how to choose another,
 * and exits 1, instead of dying with a raw EADDRINUSE stack.
 */
describe('npm run fake-providers with a taken port', () => {
  let squatter: Server;
  let taken: number;
  beforeAll(async () => {
    squatter = createServer();
    squatter.listen(0, '127.0.0.1');
    await once(squatter, 'listening');
    taken = (squatter.address() as { port: number }).port;
  });
  afterAll(async () => {
    squatter.close();
    await once(squatter, 'close');
  });

  it('names the port and the flag that picks another, without a stack trace', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/fake-providers.ts', '--openai-port', String(taken), '--anthropic-port', '0'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.stdout.resume();
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(1);
    expect(stderr).toContain(`port ${taken} for the fake OpenAI is already in use`);
    expect(stderr).toContain('npm run fake-providers -- --openai-port <port>');
    expect(stderr).toContain('OPENAI_BASE_URL=http://127.0.0.1:<port>/v1');
    expect(stderr).not.toMatch(/EADDRINUSE|\n\s+at /);
  }, 30_000);
});
