/** The ids of a comma-separated flag (`a,b,c`), blanks dropped; none when the flag is absent. */
export function splitList(value: string | undefined): string[] {
  if (value === undefined) return [];
  return value
    .split(',')
    .map((id) => id.trim())
    .filter((id) => id !== '');
}
