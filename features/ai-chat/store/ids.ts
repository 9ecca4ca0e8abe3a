import 'server-only';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether `value` is a UUID; ids that are not cannot name anything, so lookups short-circuit. */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}

/** Below every id: a list cursor with a time and no id is then strictly before that time. */
export const NO_ID = '00000000-0000-0000-0000-000000000000';
