/**
 * Told each time a message row renders, when set: the tests that hold finished rows still while a
 * reply streams, and profiling, count with it. Not part of the public API; null in normal use.
 */
export const rowRenderProbe: { current: ((messageKey: string) => void) | null } = { current: null };
