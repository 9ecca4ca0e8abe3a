'use client';

import { useCallback, useEffect, useRef, useState } from 'react';
import { toChatError } from '../client/http-error';
import type { ChatError } from '../protocol/errors';

export interface Fetched<T> {
  data: T | undefined;
  loading: boolean;
  error: ChatError | null;
  /** Fetches again; resolves when that fetch has settled (it never rejects: see `error`). */
  refresh: () => Promise<void>;
  /** Changes the data locally (optimistic updates); the next fetch replaces it. */
  setData: (update: (current: T | undefined) => T | undefined) => void;
  setError: (error: ChatError | null) => void;
}

/**
 * Data from one GET, fetched on mount and whenever `load` changes (memoise it), with a
 * `refresh`. A newer fetch supersedes an older one; leaving the page aborts it.
 */
export function useFetched<T>(load: (signal: AbortSignal) => Promise<T>): Fetched<T> {
  const [state, setState] = useState<{ data: T | undefined; error: ChatError | null; loaded: boolean }>({
    data: undefined,
    error: null,
    loaded: false,
  });
  const latest = useRef<AbortController | null>(null);

  const fetchInto = useCallback(
    (signal: AbortSignal): Promise<void> =>
      load(signal).then(
        (data) => {
          if (!signal.aborted) setState({ data, error: null, loaded: true });
        },
        (error: unknown) => {
          if (!signal.aborted) setState((current) => ({ ...current, error: toChatError(error), loaded: true }));
        },
      ),
    [load],
  );

  useEffect(() => {
    const controller = new AbortController();
    latest.current = controller;
    void fetchInto(controller.signal);
    return () => controller.abort();
  }, [fetchInto]);

  const refresh = useCallback(() => {
    latest.current?.abort();
    const controller = new AbortController();
    latest.current = controller;
    return fetchInto(controller.signal);
  }, [fetchInto]);

  const setData = useCallback((update: (current: T | undefined) => T | undefined) => {
    setState((current) => ({ ...current, data: update(current.data) }));
  }, []);
  const setError = useCallback((error: ChatError | null) => setState((current) => ({ ...current, error })), []);

  return { data: state.data, loading: !state.loaded, error: state.error, refresh, setData, setError };
}
