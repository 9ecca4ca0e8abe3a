import { readFileSync } from 'node:fs';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

const ENVIRONMENT_COMMENT = /@vitest-environment\s+([\w-]+)/;

/** The environment a file asks for in its docblock (`// @vitest-environment jsdom`), or the default. */
function environmentOf(file: string): string {
  const head = readFileSync(file, 'utf8').slice(0, 2_000);
  return ENVIRONMENT_COMMENT.exec(head)?.[1] ?? 'default';
}

/**
 * Vitest's order (failed first, then longest or largest first), with the files of one environment
 * kept together. Why: with `isolate: false` a worker is handed the next file only when that file
 * wants the same environment as the one it ran; otherwise the worker exits and a new one starts,
 * importing the SDKs, React, jsdom and PGlite's JavaScript again. Mixed node and jsdom files made
 * 40 workers for 137 files; grouped, each worker changes environment once (issue 17).
 */
export default class EnvironmentSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const environments = new Map(sorted.map((spec) => [spec, environmentOf(spec.moduleId)]));
    const order = [...new Set(environments.values())];
    return sorted
      .map((spec, index) => ({ spec, index }))
      .sort((a, b) => order.indexOf(environments.get(a.spec)!) - order.indexOf(environments.get(b.spec)!) || a.index - b.index)
      .map(({ spec }) => spec);
  }
}
