// `npm start`: `next start` on loopback, with the embedded store when no database is configured
// (scripts/start-store.mjs says why). Arguments pass through: `npm start -- -p 4000`.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import nextEnv from '@next/env';
import { storeForStart } from './start-store.mjs';

nextEnv.loadEnvConfig(process.cwd(), false, { info() {}, error: console.error });
const { add, notice } = storeForStart(process.env);
if (notice) console.info(notice);

const next = createRequire(import.meta.url).resolve('next/dist/bin/next');
const child = spawn(process.execPath, [next, 'start', '-H', '127.0.0.1', ...process.argv.slice(2)], {
  stdio: 'inherit',
  env: { ...process.env, ...add },
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
