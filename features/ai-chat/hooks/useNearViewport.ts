'use client';

import { useEffect, useState, type RefObject } from 'react';

const START_AFTER_FRAMES = 3;

/** The nearest ancestor that scrolls vertically (the message list's scroller), or null for the page. */
function scrollerOf(element: HTMLElement): HTMLElement | null {
  for (let node = element.parentElement; node; node = node.parentElement) {
    const { overflowY } = getComputedStyle(node);
    if (overflowY === 'auto' || overflowY === 'scroll') return node;
  }
  return null;
}

/**
 * True once the element has come within `margin` (a CSS margin, e.g. "600px 0px") of the visible
 * part of its scroller, and from then on. `initial` true starts (and stays) near; `enabled` false
 * does not watch (the caller knows better). Where there is no IntersectionObserver (tests, old
 * browsers) it turns true at once.
 */
export function useNearViewport(
  ref: RefObject<HTMLElement | null>,
  margin: string,
  { initial = false, enabled = true }: { initial?: boolean; enabled?: boolean } = {},
): boolean {
  const [near, setNear] = useState(initial);
  useEffect(() => {
    if (near || !enabled) return;
    const element = ref.current;
    if (!element || typeof IntersectionObserver === 'undefined') {
      setNear(true);
      return;
    }
    let observer: IntersectionObserver | undefined;
    // Start watching a few frames after mounting: a list opened at its end is scrolled there in a
    // frame after its first layout (use-stick-to-bottom), and its top rows are not near the reader.
    // By then styles are computed, so finding the scroller does not force a style recalculation.
    let frame = 0;
    let handle = requestAnimationFrame(function wait() {
      frame += 1;
      if (frame < START_AFTER_FRAMES) {
        handle = requestAnimationFrame(wait);
        return;
      }
      observer = new IntersectionObserver(
        (entries) => {
          if (entries.some((entry) => entry.isIntersecting)) setNear(true);
        },
        { root: scrollerOf(element), rootMargin: margin },
      );
      observer.observe(element);
    });
    return () => {
      cancelAnimationFrame(handle);
      observer?.disconnect();
    };
  }, [near, enabled, ref, margin]);
  return near;
}
