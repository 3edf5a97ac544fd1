import { setMaxListeners } from 'node:events';
import { readFileSync } from 'node:fs';
import {
  type Command,
  type CommandContext,
  GLOBAL_OPTIONS,
  type OptionSpecs,
  parseCommandLine,
  renderCommandHelp,
} from './command.js';
import { loadConfigFile } from './config.js';
import { classifyError } from './error-report.js';
import { CliError, EXIT_CODES, usageError } from './errors.js';
import { createOutput, createStyles, colorEnabled, type Io } from './output.js';
import { COMMANDS } from './registry.js';

/** The `insight` command's version, read from its package.json. */
export const VERSION: string = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

/** The process's own streams and environment. */
export function processIo(): Io {
  return { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env, cwd: process.cwd() };
}

/** Global flags, which may also come before the command word (`insight --json rules check …`). */
const LEADING_FLAGS = new Set([
  ...Object.entries(GLOBAL_OPTIONS as OptionSpecs).flatMap(([name, spec]) =>
    spec.type === 'boolean' ? [`--${name}`, ...(spec.short ? [`-${spec.short}`] : [])] : [],
  ),
  '--version',
  '-v',
]);

/** Global options that take a value (`insight --config ci.json token`). */
const LEADING_VALUE_OPTIONS = new Set(
  Object.entries(GLOBAL_OPTIONS as OptionSpecs).flatMap(([name, spec]) =>
    spec.type === 'string' ? [`--${name}`] : [],
  ),
);

/** The global options before the command word, and the index of that word. */
function leadingOptions(argv: readonly string[]): { leading: string[]; at: number } {
  const leading: string[] = [];
  let at = 0;
  while (at < argv.length) {
    const arg = argv[at]!;
    const name = arg.split('=')[0]!;
    if (LEADING_FLAGS.has(arg) || (LEADING_VALUE_OPTIONS.has(name) && arg.includes('='))) {
      leading.push(arg);
      at += 1;
    } else if (LEADING_VALUE_OPTIONS.has(arg)) {
      const value = argv[at + 1];
      if (value === undefined) throw usageError(`${arg} needs a value (see: insight --help)`);
      leading.push(arg, value);
      at += 2;
    } else break;
  }
  return { leading, at };
}

/**
 * Runs one `insight` command line and returns the process exit code (see `EXIT_CODES`). Every failure ends here: it
 * is printed as one line on stderr (plus the stack with `--debug`, plus `{"error": …}` on stdout with `--json`).
 */
export async function main(argv: readonly string[], io: Io = processIo()): Promise<number> {
  const json = argv.includes('--json');
  const debug = argv.includes('--debug');
  const noColor = argv.includes('--no-color');
  const errStyle = createStyles(colorEnabled(io.stderr, io.env, noColor));
  const controller = new AbortController();
  // Every call of a command listens to this one signal, and a consumer makes one call per collector at once: the
  // default cap of 10 listeners would print a leak warning on stderr where there is none.
  setMaxListeners(0, controller.signal);
  const onSignal = (signal: NodeJS.Signals) => {
    // A second signal means the user does not want to wait for a clean stop.
    if (controller.signal.aborted) process.exit(EXIT_CODES.INTERRUPTED);
    io.stderr.write(`\n${signal}: stopping (send it again to quit at once)\n`);
    controller.abort(new CliError(`interrupted by ${signal}`, EXIT_CODES.INTERRUPTED));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  try {
    const { leading, at } = leadingOptions(argv);
    const word = argv[at];
    if (word === undefined) {
      if (leading.includes('--version') || leading.includes('-v')) {
        io.stdout.write(`${VERSION}\n`);
        return EXIT_CODES.OK;
      }
      const help = renderMainHelp(createStyles(colorEnabled(io.stdout, io.env, noColor)).bold);
      if (leading.includes('--help') || leading.includes('-h')) {
        io.stdout.write(help);
        return EXIT_CODES.OK;
      }
      io.stderr.write(help);
      return EXIT_CODES.USAGE;
    }
    const command = await findCommand(argv, at, io, noColor);
    if (typeof command === 'number') return command;
    const rest = [...leading, ...argv.slice(at + command.name.split(' ').length)];
    const { values, positionals } = parseCommandLine(command, rest);
    const out = createOutput(io, { json, noColor });
    if (values.help) {
      io.stdout.write(renderCommandHelp(command, out.style.bold));
      return EXIT_CODES.OK;
    }
    const ctx: CommandContext = {
      out,
      io,
      config: await loadConfigFile(values.config, io.env, io.cwd),
      signal: controller.signal,
      debug,
    };
    return await command.run(ctx, values, positionals);
  } catch (error) {
    const reported = await classifyError(controller.signal.aborted ? (controller.signal.reason ?? error) : error);
    io.stderr.write(`${errStyle.red('error:')} ${reported.message}\n`);
    if (debug && error instanceof Error && error.stack) io.stderr.write(`${error.stack}\n`);
    if (json) io.stdout.write(`${JSON.stringify({ error: reported })}\n`);
    return reported.exitCode;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** The command `argv` names from index `at`, or an exit code once group help has been printed. */
async function findCommand(argv: readonly string[], at: number, io: Io, noColor: boolean): Promise<Command | number> {
  const word = argv[at]!;
  const entry = COMMANDS.find((c) => c.name === word);
  if (!entry)
    throw usageError(
      `unknown command '${word}'${suggest(
        word,
        COMMANDS.map((c) => c.name),
      )} (see: insight --help)`,
    );
  const { commands } = await entry.load();
  const single = commands.find((c) => c.name === word);
  if (single) return single;
  const sub = argv[at + 1];
  if (sub === undefined || sub.startsWith('-')) {
    const wantsHelp = sub === '--help' || sub === '-h' || argv.slice(0, at).some((a) => a === '--help' || a === '-h');
    const stream = wantsHelp ? io.stdout : io.stderr;
    stream.write(
      renderGroupHelp(word, entry.summary, commands, createStyles(colorEnabled(stream, io.env, noColor)).bold),
    );
    return wantsHelp ? EXIT_CODES.OK : EXIT_CODES.USAGE;
  }
  const command = commands.find((c) => c.name === `${word} ${sub}`);
  if (!command) {
    const names = commands.map((c) => c.name.split(' ')[1]!);
    throw usageError(`unknown command '${word} ${sub}'${suggest(sub, names)} (see: insight ${word} --help)`);
  }
  return command;
}

/** `; did you mean 'x'?` for the candidate closest to `word`, when one is close. */
function suggest(word: string, candidates: readonly string[]): string {
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of candidates) {
    const d = editDistance(word, candidate);
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return best ? `; did you mean '${best}'?` : '';
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}

/** The exit codes as `insight --help` lists them. */
const EXIT_CODE_HELP: readonly (readonly [number, string])[] = [
  [EXIT_CODES.OK, 'success'],
  [EXIT_CODES.FAILURE, 'the command ran and failed (a demo step, a rule test, writing an output file)'],
  [EXIT_CODES.USAGE, 'wrong command line or missing configuration, an output file that cannot be opened'],
  [EXIT_CODES.INVALID_INPUT, 'invalid input: a rule, a file, JSON'],
  [EXIT_CODES.API, 'the service answered an error (credentials, unknown task, parameters) or a task failed'],
  [EXIT_CODES.CONNECTION, 'the service could not be reached or timed out'],
  [EXIT_CODES.INTERRUPTED, 'interrupted (SIGINT/SIGTERM)'],
];

function renderMainHelp(bold: (text: string) => string): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  const globals = Object.entries(GLOBAL_OPTIONS).map(([name, spec]) => `  --${name.padEnd(10)}  ${spec.description}`);
  return [
    `insight ${VERSION}: Content Insight and ByteAir from the terminal, with a local emulator of both`,
    '',
    bold('Usage'),
    '  insight [global options] <command> [options]',
    '',
    bold('Commands'),
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    bold('Global options'),
    ...globals,
    '  --version     Print the version',
    '',
    bold('Configuration'),
    '  Each setting comes from its flag, else its environment variable (set to nothing, it counts as unset), else',
    '  the config file (--config, INSIGHT_CONFIG or ./insight.config.json), e.g. --biz-name, INSIGHT_BIZ_NAME,',
    '  insight.bizName. ByteAir credentials come from the highest of these levels that gives them (a token, or an',
    '  access key and secret key); at one level, the token wins.',
    '',
    bold('Exit codes'),
    ...EXIT_CODE_HELP.map(([code, meaning]) => `  ${String(code).padStart(3)}  ${meaning}`),
    '',
    bold('Examples'),
    '  $ insight demo',
    '  $ insight rules check \'["in", "coffee", {"f": "title"}]\'',
    '  $ insight serve --port 8080 --data-dir ./emulator-data',
    '',
    "Run 'insight <command> --help' for a command's options and examples.",
    '',
  ].join('\n');
}

function renderGroupHelp(word: string, summary: string, commands: readonly Command[], bold: (t: string) => string) {
  const names = commands.map((c) => c.name.split(' ')[1]!);
  const width = Math.max(...names.map((n) => n.length));
  return [
    `insight ${word}: ${summary}`,
    '',
    bold('Usage'),
    `  insight ${word} <command> [options]`,
    '',
    bold('Commands'),
    ...commands.map((c, i) => `  ${names[i]!.padEnd(width)}  ${c.summary}`),
    '',
    `Run 'insight ${word} <command> --help' for its options and examples.`,
    '',
  ].join('\n');
}
