// Tests run outside React's server environment, where the real `server-only` throws on import.
// The guard itself is proven by the build: Next fails a client bundle that reaches it.
export {};
