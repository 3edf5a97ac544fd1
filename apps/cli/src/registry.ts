import type { CommandModule } from './command.js';

/** A top-level word of the `insight` command and how to load its module. */
export interface CommandEntry {
  /** The word: `rules`, `demo`. */
  readonly name: string;
  /** One line for `insight --help`. */
  readonly summary: string;
  /** Loads the module only when the command runs, so that `insight rules fmt` never loads the HTTP client. */
  readonly load: () => Promise<CommandModule>;
}

/** Every top-level command, in the order `insight --help` lists them. */
export const COMMANDS: readonly CommandEntry[] = [
  {
    name: 'demo',
    summary: 'Run both services end to end on an embedded emulator, step by step',
    load: () => import('./commands/demo/index.js'),
  },
  {
    name: 'serve',
    summary: 'Run the emulator of both services as a standalone server',
    load: () => import('./commands/serve/index.js'),
  },
  {
    name: 'rules',
    summary: 'Check, format, explain and test rules offline (check | fmt | explain | test)',
    load: () => import('./commands/rules/index.js'),
  },
  {
    name: 'byteair',
    summary: 'ByteAir recommendations: predict, callback, write data',
    load: () => import('./commands/byteair/index.js'),
  },
  {
    name: 'backtrack',
    summary: 'Content Insight backtrack tasks: preview, create, status, wait, consume',
    load: () => import('./commands/backtrack/index.js'),
  },
  {
    name: 'subs',
    summary: 'Content Insight realtime subscriptions: list, create, update',
    load: () => import('./commands/subs/index.js'),
  },
  {
    name: 'search',
    summary: 'Search Content Insight posts matching a rule over a window',
    load: () => import('./commands/search/index.js'),
  },
  {
    name: 'token',
    summary: 'Get a Content Insight access token',
    load: () => import('./commands/token/index.js'),
  },
];
