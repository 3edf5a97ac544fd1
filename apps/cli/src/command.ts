import { parseArgs } from 'node:util';
import type { ConfigFile } from './config.js';
import { usageError } from './errors.js';
import type { Io, Output } from './output.js';

/** One option of a command, as `parseArgs` takes it plus what `--help` shows. */
export interface OptionSpec {
  /** `string` takes a value, `boolean` is a flag. */
  readonly type: 'string' | 'boolean';
  /** One-letter alias. */
  readonly short?: string;
  /** The option may repeat; its value is then a list. */
  readonly multiple?: boolean;
  /** One line for `--help`. */
  readonly description: string;
  /** The value's name in `--help` (`<path>`). */
  readonly placeholder?: string;
}

/** A command's options by long name. */
export type OptionSpecs = Readonly<Record<string, OptionSpec>>;

/** The parsed values of `O`: strings, booleans, or lists for repeatable options; absent when not given. */
export type OptionValues<O extends OptionSpecs> = {
  readonly [K in keyof O]?: O[K]['type'] extends 'boolean'
    ? boolean
    : O[K]['multiple'] extends true
      ? string[]
      : string;
};

/** What every command runs with. */
export interface CommandContext {
  /** Where and how to write. */
  readonly out: Output;
  /** The process's streams, environment and working directory. */
  readonly io: Io;
  /** The configuration file's contents (`--config`, `INSIGHT_CONFIG` or `./insight.config.json`), or `{}`. */
  readonly config: ConfigFile;
  /** Aborted on SIGINT/SIGTERM: long-running commands stop cleanly when it fires. */
  readonly signal: AbortSignal;
  /** `--debug`: log every request and show stacks. */
  readonly debug: boolean;
}

/** One runnable command (`insight rules check`, `insight search`). */
export interface Command<O extends OptionSpecs = OptionSpecs> {
  /** The words that name it: `rules check`. */
  readonly name: string;
  /** One line for the command list. */
  readonly summary: string;
  /** What follows the name in the usage line: `[rule] [options]`. */
  readonly usage: string;
  /** Paragraphs for `--help` after the summary. */
  readonly description?: string;
  /** The command's own options (the global ones are added to every command). */
  readonly options: O;
  /** Positional arguments accepted, at most. */
  readonly maxPositionals: number;
  /** Command lines shown under "Examples". */
  readonly examples: readonly string[];
  /** Runs the command and resolves to its exit code; failures are thrown and reported by the top-level handler. */
  run(ctx: CommandContext, values: OptionValues<O>, positionals: string[]): Promise<number>;
}

/** Declares a command with its option types inferred. */
export function defineCommand<const O extends OptionSpecs>(command: Command<O>): Command<O> {
  return command;
}

/** A module under `src/commands/`: the commands of one top-level word. */
export interface CommandModule {
  /** Its commands: one named like the word itself, or several subcommands (`rules check`, `rules fmt`). */
  readonly commands: readonly Command[];
}

/** Options every command accepts. */
export const GLOBAL_OPTIONS = {
  json: { type: 'boolean', description: 'Machine output: results as JSON on stdout, logs on stderr' },
  config: { type: 'string', placeholder: '<file>', description: 'Configuration file (default ./insight.config.json)' },
  'no-color': { type: 'boolean', description: 'No colours (also when NO_COLOR is set or output is not a terminal)' },
  debug: { type: 'boolean', description: 'Log each request on stderr and print stacks of errors' },
  help: { type: 'boolean', short: 'h', description: 'Show this help' },
} as const satisfies OptionSpecs;

/** The parsed command line of one command. */
export interface ParsedCommandLine<O extends OptionSpecs> {
  readonly values: OptionValues<O & typeof GLOBAL_OPTIONS>;
  readonly positionals: string[];
}

/** Parses `args` against the command's options plus the global ones; a wrong command line is a usage error. */
export function parseCommandLine<O extends OptionSpecs>(command: Command<O>, args: string[]): ParsedCommandLine<O> {
  const specs: OptionSpecs = { ...command.options, ...GLOBAL_OPTIONS };
  const options: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }> = {};
  for (const [name, spec] of Object.entries(specs)) {
    options[name] = { type: spec.type, ...(spec.short ? { short: spec.short } : {}), multiple: spec.multiple ?? false };
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    // parseArgs names the option in its message; drop its hint about `--` which only confuses here.
    const message = (error as Error).message.replace(/\. To specify a positional argument.*$/s, '');
    throw usageError(`${message} (see: insight ${command.name} --help)`);
  }
  if (!parsed.values.help && parsed.positionals.length > command.maxPositionals) {
    const extra = parsed.positionals.slice(command.maxPositionals).join(' ');
    throw usageError(`unexpected argument '${extra}' (see: insight ${command.name} --help)`);
  }
  return { values: parsed.values as OptionValues<O & typeof GLOBAL_OPTIONS>, positionals: parsed.positionals };
}

/** The `--help` text of a command. */
export function renderCommandHelp(command: Command, bold: (text: string) => string): string {
  const lines = [`insight ${command.name}: ${command.summary}`, ''];
  if (command.description) lines.push(...command.description.split('\n'), '');
  lines.push(bold('Usage'), `  insight ${command.name} ${command.usage}`.trimEnd(), '');
  if (Object.keys(command.options).length > 0) lines.push(bold('Options'), ...renderOptions(command.options), '');
  lines.push(bold('Global options'), ...renderOptions(GLOBAL_OPTIONS), '');
  if (command.examples.length > 0) lines.push(bold('Examples'), ...command.examples.map((e) => `  $ ${e}`), '');
  return lines.join('\n');
}

function renderOptions(specs: OptionSpecs): string[] {
  const rows = Object.entries(specs).map(([name, spec]) => {
    const flag = `${spec.short ? `-${spec.short}, ` : '    '}--${name}${spec.placeholder ? ` ${spec.placeholder}` : ''}`;
    return [flag, spec.description + (spec.multiple ? ' (repeatable)' : '')] as const;
  });
  const width = Math.max(...rows.map(([flag]) => flag.length));
  return rows.map(([flag, description]) => `  ${flag.padEnd(width)}  ${description}`);
}
