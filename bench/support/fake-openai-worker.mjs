// Worker entry: a worker thread starts without the parent's TypeScript loader on Node 20, so
// register tsx here before loading the TypeScript worker.
import { register } from 'tsx/esm/api';

register();
await import('./fake-openai-worker.ts');
