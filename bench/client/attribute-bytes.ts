import { decode } from '@jridgewell/sourcemap-codec';

interface FlatMap {
  sources: string[];
  mappings: string;
}
interface IndexMap {
  sections: { offset: { line: number; column: number }; map: FlatMap }[];
}

/**
 * Bytes of a generated file per source file, from its source map: each mapped segment owns the
 * bytes up to the next segment on its line. Bytes before a line's first segment, and unmapped
 * lines, are returned under `null` (the bundler's own glue).
 */
export function bytesBySource(code: string, map: FlatMap | IndexMap): Map<string | null, number> {
  const lines = code.split('\n');
  const sections = 'sections' in map ? map.sections : [{ offset: { line: 0, column: 0 }, map }];
  const counts = new Map<string | null, number>();
  const add = (source: string | null, bytes: number) => counts.set(source, (counts.get(source) ?? 0) + bytes);
  const covered = lines.map(() => 0);
  for (const { offset, map: section } of sections) {
    decode(section.mappings).forEach((segments, i) => {
      const lineIndex = i + offset.line;
      const line = lines[lineIndex];
      if (line === undefined) return;
      segments.forEach((segment, j) => {
        const start = segment[0] + (i === 0 ? offset.column : 0);
        const next = segments[j + 1];
        const end = next ? next[0] + (i === 0 ? offset.column : 0) : line.length;
        const source = segment.length > 1 ? (section.sources[segment[1]!] ?? null) : null;
        const bytes = Buffer.byteLength(line.slice(start, end));
        add(source, bytes);
        covered[lineIndex]! += bytes;
      });
    });
  }
  lines.forEach((line, i) => add(null, Buffer.byteLength(line) + 1 - covered[i]!));
  return counts;
}
