import 'server-only';
import type { ChatProvider } from '../types';

/**
 * The offline demo model, loaded on its first use: the caller names it only behind
 * `process.env.NODE_ENV !== 'production'`, which a production build folds to false, so the
 * canned replies are not in a production server at all.
 */
export function lazyDemoProvider(): ChatProvider {
  let loaded: Promise<ChatProvider> | undefined;
  const provider = () => (loaded ??= import('./provider').then((module) => module.createDemoProvider()));
  return {
    name: 'demo',
    async *stream(request) {
      yield* (await provider()).stream(request);
    },
    async complete(request) {
      return (await provider()).complete(request);
    },
  };
}
