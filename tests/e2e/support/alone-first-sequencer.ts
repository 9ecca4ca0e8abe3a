import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { runsAlone } from './lanes';

/**
 * Vitest's order, with the files that run alone first: both lanes are then busy together for the
 * rest of the run, and no file waits out a long file of the other lane to get the machine alone.
 */
export default class AloneFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    return [...sorted.filter((spec) => runsAlone(spec.moduleId)), ...sorted.filter((spec) => !runsAlone(spec.moduleId))];
  }
}
