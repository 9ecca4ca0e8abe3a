// Runs once when the server starts: a bad environment fails here, with a message naming the
// variable, instead of on the first chat request.
export async function register() {
  if (process.env.NEXT_RUNTIME === 'nodejs') {
    const { getChatEnv } = await import('@/features/ai-chat/config/env');
    getChatEnv();
  }
}
