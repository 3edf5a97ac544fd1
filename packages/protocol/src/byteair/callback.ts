/**
 * The rules of a ByteAir callback's fields that both a sender and a receiver check, so that a callback one side
 * accepts the other accepts too.
 */

/**
 * `extra` values already found to be JSON. Callbacks repeat a handful of them (`{"reason":"kept"}`, …), and parsing
 * each one again costs more than the rest of a callback's checks; short ones only, so the set stays small.
 */
const KNOWN_JSON = new Set<string>();
const KNOWN_JSON_MAX_ENTRIES = 256;
const KNOWN_JSON_MAX_LENGTH = 256;

/**
 * What is wrong with a `CallbackItem.extra`, or undefined when it is empty (absent) or JSON text of any kind: an
 * object such as `{"reason":"kept"}`, or a string such as `"filtered"`.
 */
export function callbackExtraProblem(extra: string): string | undefined {
  if (extra === '' || KNOWN_JSON.has(extra)) return undefined;
  try {
    JSON.parse(extra);
  } catch {
    return 'must be JSON text, e.g. {"reason":"kept"} or "filtered"';
  }
  if (extra.length <= KNOWN_JSON_MAX_LENGTH) {
    if (KNOWN_JSON.size >= KNOWN_JSON_MAX_ENTRIES) KNOWN_JSON.clear();
    KNOWN_JSON.add(extra);
  }
  return undefined;
}
