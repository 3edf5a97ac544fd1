/**
 * A whole-number option of a benchmark, `--name=N` or `--name N`, else `fallback`; anything else than a positive
 * integer ends the run with a message naming the option.
 */
export function numberOption(name: string, fallback: number): number {
  const args = process.argv.slice(2);
  const flag = `--${name}`;
  let text: string | undefined;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === flag) text = args[i + 1];
    else if (args[i]!.startsWith(`${flag}=`)) text = args[i]!.slice(flag.length + 1);
  }
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value <= 0) {
    console.error(`${flag} takes a positive whole number, got ${JSON.stringify(text)}`);
    process.exit(2);
  }
  return value;
}
