import 'server-only';

/**
 * Parses the JSON a model wrote as tool arguments. Models do write invalid JSON (most often when
 * cut off by the token limit); the raw string is returned then, so the caller's schema check
 * reports it instead of the whole reply failing here.
 */
export function parseToolArgs(json: string): unknown {
  if (json.trim() === '') return {};
  try {
    return JSON.parse(json) as unknown;
  } catch {
    return json;
  }
}
