/**
 * What both bench pages share: the settings the driver passes in the URL, a paced SSE body, the
 * commit counter and the `window.bench` handle the driver polls.
 */

export interface PageSettings {
  /** Messages already in the conversation when the page opens. */
  messages: number;
  deltas: number;
  /** Milliseconds between two deltas on the wire; 0 sends them as fast as the reader takes them. */
  intervalMs: number;
}

export interface BenchHandle {
  /** Rows rendered in the message list. */
  rows: () => number;
  /** React commits since the page opened (Profiler onRender at the root). */
  commits: number;
  /** True once the reply's body has been read to its end. */
  streamEnded: boolean;
  /** True once the reply's last words are on screen. */
  replyShown: () => boolean;
}

declare global {
  interface Window {
    bench: BenchHandle;
  }
}

export function readSettings(): PageSettings {
  const params = new URLSearchParams(window.location.search);
  const number = (name: string, fallback: number) => Number(params.get(name) ?? fallback);
  return { messages: number('messages', 500), deltas: number('deltas', 2000), intervalMs: number('interval', 4) };
}

export function installHandle(rowSelector: string, endMarker: string): BenchHandle {
  const handle: BenchHandle = {
    rows: () => document.querySelectorAll(rowSelector).length,
    commits: 0,
    streamEnded: false,
    // Only the last row is read: scanning the whole page would itself cost main-thread time.
    replyShown: () => {
      const rows = document.querySelectorAll(rowSelector);
      return rows[rows.length - 1]?.textContent?.includes(endMarker) ?? false;
    },
  };
  window.bench = handle;
  return handle;
}

/** Counts commits: a Profiler at the root reports every commit of the tree under it. */
export function onRootRender(): void {
  window.bench.commits += 1;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A `text/event-stream` body: the `head` frames at once, then one delta frame per chunk on a fixed
 * timetable (delta i due `i × intervalMs` after the first), then the `tail` frames. A delta that is
 * late goes out at once, so timer jitter never slows the stream down, it only bunches frames.
 */
export function pacedEventStream(head: readonly string[], deltas: readonly string[], tail: readonly string[], intervalMs: number): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let index = -1;
  let startedAt = 0;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (index === -1) {
        controller.enqueue(encoder.encode(head.join('')));
        startedAt = performance.now();
        index = 0;
        return;
      }
      if (index < deltas.length) {
        const wait = startedAt + index * intervalMs - performance.now();
        if (wait > 0) await sleep(wait);
        controller.enqueue(encoder.encode(deltas[index]!));
        index += 1;
        return;
      }
      controller.enqueue(encoder.encode(tail.join('')));
      controller.close();
      window.bench.streamEnded = true;
    },
  });
}

/** A JSON response as a route would send it. */
export function jsonResponse(body: unknown): Response {
  return new Response(JSON.stringify(body), { headers: { 'content-type': 'application/json' } });
}
