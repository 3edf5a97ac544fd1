import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { EXIT_CODES } from './errors.js';
import { main, VERSION } from './main.js';
import type { Io } from './output.js';

/** Runs `insight …` in-process with captured streams. */
async function run(argv: string[], env: NodeJS.ProcessEnv = {}, stdinText?: string) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const stdin = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c) => (out += c));
  stderr.on('data', (c) => (err += c));
  if (stdinText !== undefined) stdin.end(stdinText);
  const io: Io = {
    stdout,
    stderr,
    stdin: Object.assign(stdin, { isTTY: stdinText === undefined }),
    env,
    cwd: process.cwd(),
  };
  const code = await main(argv, io);
  return { code, out, err };
}

describe('main', () => {
  it('prints the command list and the exit codes with --help', async () => {
    const { code, out } = await run(['--help']);
    expect(code).toBe(EXIT_CODES.OK);
    expect(out).toContain('Commands');
    expect(out).toContain('rules');
    expect(out).toMatch(/Exit codes[\s\S]* {2}3 {2}invalid input/);
  });

  it('prints help on stderr and exits 2 without a command', async () => {
    const { code, out, err } = await run([]);
    expect(code).toBe(EXIT_CODES.USAGE);
    expect(out).toBe('');
    expect(err).toContain('Usage');
  });

  it('prints the version', async () => {
    const { code, out } = await run(['--version']);
    expect(code).toBe(0);
    expect(out.trim()).toBe(VERSION);
  });

  it('names an unknown command and suggests the closest one', async () => {
    const { code, err } = await run(['rulez']);
    expect(code).toBe(EXIT_CODES.USAGE);
    expect(err).toContain("unknown command 'rulez'; did you mean 'rules'?");
  });

  it('lists the subcommands of a group', async () => {
    const { code, out } = await run(['rules', '--help']);
    expect(code).toBe(0);
    expect(out).toMatch(/check\s+/);
    expect(out).toMatch(/fmt\s+/);
  });

  it('names an unknown option as a usage error, and reports it as JSON with --json', async () => {
    const { code, out, err } = await run(['rules', 'check', '--nope', '--json']);
    expect(code).toBe(EXIT_CODES.USAGE);
    expect(err).toContain("Unknown option '--nope'");
    expect(JSON.parse(out)).toMatchObject({ error: { exitCode: 2 } });
  });

  it('shows a command help with its examples', async () => {
    const { code, out } = await run(['rules', 'check', '--help']);
    expect(code).toBe(0);
    expect(out).toContain('Examples');
    expect(out).toContain('$ insight rules check');
  });

  it('refuses an invalid config file, naming the path inside it', async () => {
    const { code, err } = await run(['rules', 'check', '["in","a",{"f":"title"}]'], {
      INSIGHT_CONFIG: 'does-not-exist.json',
    });
    expect(code).toBe(EXIT_CODES.USAGE);
    expect(err).toContain('cannot read config file');
  });
});
