import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { EXIT_CODES, fileError, invalidInput, usageError } from './errors.js';
import type { Io } from './output.js';

/** Reads all of stdin as UTF-8. */
export async function readStdin(io: Io): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of io.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}

/** Reads a file (relative to the working directory), or stdin when `path` is `-`. */
export async function readTextFile(path: string, io: Io): Promise<string> {
  if (path === '-') return readStdin(io);
  try {
    return await readFile(resolve(io.cwd, path), 'utf8');
  } catch (error) {
    throw fileError('read', path, error, EXIT_CODES.USAGE);
  }
}

/**
 * The text of a command's main input: the positional argument, else the file `--file` names (`-` = stdin), else
 * stdin when it is piped. `what` names the input in the error when there is none.
 */
export async function readInput(positional: string | undefined, file: string | undefined, io: Io, what: string) {
  if (positional !== undefined && file !== undefined)
    throw usageError(`give the ${what} either inline or with --file, not both`);
  if (positional !== undefined) return positional;
  if (file !== undefined) return readTextFile(file, io);
  if (io.stdin.isTTY !== true) return readStdin(io);
  throw usageError(`missing ${what}: pass it as an argument, with --file <path>, or on stdin`);
}

/** Parses JSON, reporting a syntax error as invalid input that names the source. */
export function parseJson(text: string, source: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw invalidInput(`${source} is not valid JSON: ${(error as Error).message}`);
  }
}

/** Yields each non-blank line of a JSONL file (or stdin for `-`) parsed, with its 1-based line number. */
export async function* readJsonLines(path: string, io: Io): AsyncGenerator<{ line: number; value: unknown }> {
  let input: NodeJS.ReadableStream;
  if (path === '-') input = io.stdin;
  else {
    const stream = createReadStream(resolve(io.cwd, path), 'utf8');
    await new Promise<void>((ok, fail) => {
      stream.once('open', () => ok());
      stream.once('error', (error) => fail(fileError('read', path, error, EXIT_CODES.USAGE)));
    });
    input = stream;
  }
  let line = 0;
  for await (const text of createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY })) {
    line++;
    if (text.trim() === '') continue;
    yield { line, value: parseJson(text, `${path === '-' ? 'stdin' : path} line ${line}`) };
  }
}
