/**
 * Runs `callback` once before the next paint (requestAnimationFrame), or after ~16 ms where
 * there is no animation frame (workers, tests, server). Returns a cancel function.
 */
export function scheduleFrame(callback: () => void): () => void {
  if (typeof requestAnimationFrame === 'function' && typeof cancelAnimationFrame === 'function') {
    const handle = requestAnimationFrame(() => callback());
    return () => cancelAnimationFrame(handle);
  }
  const handle = setTimeout(callback, 16);
  return () => clearTimeout(handle);
}
