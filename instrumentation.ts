// Runs once when the server starts. The check lives in a Node-only file: this one is also
// compiled for the Edge runtime, which has no process.exit.
export async function register() {
  if (process.env.NEXT_RUNTIME === 'nodejs') await import('./instrumentation-node');
}
