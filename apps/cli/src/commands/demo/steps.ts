import { CliError, EXIT_CODES } from '../../errors.js';
import { formatDuration } from '../../format.js';
import type { Output } from '../../output.js';

/** What a step can say while it runs: detail lines printed under its ✓ line. */
export interface StepNotes {
  /** Adds a detail line. */
  note(line: string): void;
}

/** Runs numbered steps, printing each as ✓ or ✗ with its time and details. */
export interface Stepper {
  /** A section heading. */
  section(title: string): void;
  /** Runs one step; a failure prints ✗ and ends the demo with exit code 1. */
  run<T>(title: string, action: (notes: StepNotes) => Promise<T>): Promise<T>;
  /** Time per step, for the JSON summary. */
  readonly timings: { step: number; title: string; ms: number }[];
}

/** Creates the stepper of one demo run. */
export function createStepper(out: Output): Stepper {
  const { style } = out;
  const timings: Stepper['timings'] = [];
  let count = 0;
  return {
    timings,
    section(title) {
      out.log();
      out.log(style.bold(title));
    },
    async run(title, action) {
      const n = ++count;
      const lines: string[] = [];
      const started = performance.now();
      try {
        const result = await action({ note: (line) => lines.push(line) });
        const ms = performance.now() - started;
        timings.push({ step: n, title, ms: Math.round(ms) });
        out.log(`${style.green('✓')} ${String(n).padStart(2)}. ${title} ${style.dim(`(${formatDuration(ms)})`)}`);
        for (const line of lines) out.log(`       ${line}`);
        return result;
      } catch (error) {
        const ms = performance.now() - started;
        out.log(`${style.red('✗')} ${String(n).padStart(2)}. ${title} ${style.dim(`(${formatDuration(ms)})`)}`);
        for (const line of lines) out.log(`       ${line}`);
        if (error instanceof CliError && error.exitCode === EXIT_CODES.INTERRUPTED) throw error;
        const message = error instanceof Error ? error.message : String(error);
        throw new CliError(`demo failed at step ${n} (${title}): ${message}`, EXIT_CODES.FAILURE, { cause: error });
      }
    },
  };
}
