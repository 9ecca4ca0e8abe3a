import 'server-only';
import { getChatEnv } from '../config/env';

/**
 * Opens the embedded store ahead of the first request (PGlite's initdb and the migrations take
 * seconds on a fresh data folder), so the first message is not left "Sending…" while it happens.
 * Resolves with the seconds it took; null for the other stores, which open in milliseconds.
 */
export async function prepareEmbeddedStore(): Promise<number | null> {
  if (getChatEnv().store !== 'embedded') return null;
  const started = performance.now();
  const { getChatStore } = await import('./index');
  // The embedded store's request user is its one local user: opening it opens the database.
  await getChatStore().forRequest(new Request('http://127.0.0.1/'));
  return (performance.now() - started) / 1000;
}
