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
