import { prepareEmbeddedStore } from '@/features/ai-chat/api/chat-handler';
import { getChatEnv } from '@/features/ai-chat/server';

// A bad environment fails here, at start, with a message naming the variable, instead of on the
// first chat request.
try {
  getChatEnv();
} catch (error) {
  console.error(`\nai-chat cannot start: ${error instanceof Error ? error.message : String(error)}\n`);
  // A production server that cannot chat should not look healthy; `next dev` keeps running so the
  // fix (editing .env.local) is one restart away.
  if (process.env.NODE_ENV === 'production') process.exit(1);
  throw error;
}

// The embedded database is prepared while the person opens the page, not on their first message
// (a fresh one takes about ten seconds); a request that comes sooner waits for the same work.
if (getChatEnv().store === 'embedded') {
  console.info('ai-chat: preparing the embedded database…');
  prepareEmbeddedStore().then(
    (seconds) => console.info(`ai-chat: the embedded database is ready (${seconds?.toFixed(1)} s).`),
    (error: unknown) => console.error('ai-chat: the embedded database could not be prepared:', error),
  );
}
