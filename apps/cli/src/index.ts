/**
 * `@insight/cli`: the `insight` command. The binary is `insight`; this entry point runs it in-process.
 *
 * @packageDocumentation
 */
export { main, processIo, VERSION } from './main.js';
export { CliError, EXIT_CODES, type ExitCode } from './errors.js';
export type { Io } from './output.js';
