import 'server-only';

/**
 * Waits for the first item of a stream, then hands back a stream that replays it. A refused key,
 * a rate limit or a bad request then rejects the awaited call, where a route can still answer with
 * an HTTP status, instead of surfacing mid-body. The caller must iterate the result to the end (or
 * break out of it) so the underlying request is released.
 */
export async function primeStream<T>(source: AsyncIterable<T>): Promise<AsyncIterable<T>> {
  const iterator = source[Symbol.asyncIterator]();
  const first = await iterator.next();
  async function* replay(): AsyncGenerator<T, void, undefined> {
    try {
      if (first.done) return;
      yield first.value;
      for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value;
    } finally {
      // Runs when the consumer breaks early: cancels the provider request.
      await iterator.return?.();
    }
  }
  return replay();
}
