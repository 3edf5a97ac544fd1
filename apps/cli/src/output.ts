import { formatDuration } from './format.js';

/** The streams and environment the command writes to; the process's own by default, captured ones in tests. */
export interface Io {
  /** Where results go. */
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  /** Where logs go in `--json` mode, progress bars, and errors. */
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  /** Where rules and posts are read from when no file is named. */
  readonly stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  /** The environment (configuration, `NO_COLOR`). */
  readonly env: NodeJS.ProcessEnv;
  /** The directory relative paths resolve from. */
  readonly cwd: string;
}

/** Terminal styles; each is the identity when colour is off. */
export interface Styles {
  readonly bold: (text: string) => string;
  readonly dim: (text: string) => string;
  readonly red: (text: string) => string;
  readonly green: (text: string) => string;
  readonly yellow: (text: string) => string;
  readonly cyan: (text: string) => string;
}

/** A progress bar on stderr; every method does nothing when stderr is not a terminal or output is JSON. */
export interface ProgressBar {
  /** Moves the bar to `done` of `total` (the total may change as it becomes known). */
  update(done: number, total?: number): void;
  /** Removes the bar from the terminal. */
  stop(): void;
}

/** How a command writes: human text, or JSON results on stdout with human logs moved to stderr. */
export interface Output {
  /** True with `--json`: stdout holds only machine-readable results. */
  readonly json: boolean;
  /** Styles for human text. */
  readonly style: Styles;
  /** A human log line: stdout normally, stderr with `--json` so that stdout stays machine-readable. */
  log(line?: string): void;
  /** A warning line, always on stderr. */
  warn(line: string): void;
  /** A command's result: `value` as one JSON line with `--json`, else the lines `human` renders. */
  result<T>(value: T, human: (value: T) => string | readonly string[]): void;
  /** A progress bar labelled `label` (shown only on a terminal, never with `--json`). */
  progress(label: string): ProgressBar;
}

const ANSI = { bold: [1, 22], dim: [2, 22], red: [31, 39], green: [32, 39], yellow: [33, 39], cyan: [36, 39] } as const;

/** Bars repaint at most this often, so that a fast stream does not spend its time drawing. */
const PROGRESS_REPAINT_MS = 80;

/** Width of the bar itself, in cells. */
const PROGRESS_BAR_WIDTH = 28;

/**
 * Whether colour is on for a stream: a terminal, and `NO_COLOR` unset or empty (https://no-color.org); `--no-color`
 * turns it off too.
 */
export function colorEnabled(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv, noColorFlag = false): boolean {
  if (noColorFlag) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return stream.isTTY === true;
}

/** Styles that wrap text in ANSI escapes when `enabled`, and leave it alone otherwise. */
export function createStyles(enabled: boolean): Styles {
  const make =
    ([open, close]: readonly [number, number]) =>
    (text: string) =>
      enabled ? `\u001b[${open}m${text}\u001b[${close}m` : text;
  return {
    bold: make(ANSI.bold),
    dim: make(ANSI.dim),
    red: make(ANSI.red),
    green: make(ANSI.green),
    yellow: make(ANSI.yellow),
    cyan: make(ANSI.cyan),
  };
}

/** Creates the output of one command run. */
export function createOutput(io: Io, options: { json: boolean; noColor?: boolean }): Output {
  const { json } = options;
  const logStream = json ? io.stderr : io.stdout;
  const style = createStyles(colorEnabled(logStream, io.env, options.noColor));
  const barsShown = !json && io.stderr.isTTY === true;

  return {
    json,
    style,
    log(line = '') {
      logStream.write(`${line}\n`);
    },
    warn(line) {
      io.stderr.write(`${line}\n`);
    },
    result(value, human) {
      if (json) {
        io.stdout.write(`${JSON.stringify(value)}\n`);
        return;
      }
      const rendered = human(value);
      const lines = typeof rendered === 'string' ? [rendered] : rendered;
      for (const line of lines) io.stdout.write(`${line}\n`);
    },
    progress(label) {
      if (!barsShown) return { update() {}, stop() {} };
      return createProgressBar(io.stderr, label, style);
    },
  };
}

function createProgressBar(stream: Io['stderr'], label: string, style: Styles): ProgressBar {
  const startedAt = Date.now();
  let lastPaint = 0;
  let total: number | undefined;
  let painted = false;

  const paint = (done: number) => {
    const elapsed = Date.now() - startedAt;
    let bar: string;
    if (total !== undefined && total > 0) {
      const ratio = Math.min(1, done / total);
      const filled = Math.round(ratio * PROGRESS_BAR_WIDTH);
      bar = `${style.green('█'.repeat(filled))}${style.dim('░'.repeat(PROGRESS_BAR_WIDTH - filled))} ${String(Math.floor(ratio * 100)).padStart(3)}% ${done}/${total}`;
    } else {
      bar = `${done}`;
    }
    const line = `  ${label} ${bar} ${style.dim(formatDuration(elapsed))}`;
    stream.write(`\r\u001b[2K${line}`);
    painted = true;
  };

  return {
    update(done, newTotal) {
      if (newTotal !== undefined) total = newTotal;
      const now = Date.now();
      const finished = total !== undefined && done >= total;
      if (!finished && now - lastPaint < PROGRESS_REPAINT_MS) return;
      lastPaint = now;
      paint(done);
    },
    stop() {
      if (painted) stream.write('\r\u001b[2K');
      painted = false;
    },
  };
}
