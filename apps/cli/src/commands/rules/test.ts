import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { compileRule } from '@insight/rules';
import { defineCommand } from '../../command.js';
import { EXIT_CODES, invalidInput, usageError } from '../../errors.js';
import { formatCount, formatDuration, truncate } from '../../format.js';
import { readJsonLines } from '../../input.js';
import type { Io } from '../../output.js';
import { type OutputFile, openOutputFile } from '../../output-file.js';
import { loadRule, parseRuleKind, RULE_INPUT_OPTIONS, RULE_KIND_OPTION } from '../../rule-input.js';
import { matchedTerms } from './describe.js';
import { postOf } from '../../posts.js';

/** Matched posts shown by default. */
const DEFAULT_SHOWN = 5;

/** `insight rules test`: runs a rule over a JSONL file of posts, offline. */
export const testCommand = defineCommand({
  name: 'rules test',
  summary: 'Run a rule over a JSONL file of posts and report what it matches',
  usage: '[rule] --posts <file.jsonl> [options]',
  description:
    'Each line is a post (item_doc) or an envelope holding one, such as the lines `insight backtrack consume` writes.\nWith --expect, exits 1 when the number of matches differs.',
  options: {
    ...RULE_INPUT_OPTIONS,
    ...RULE_KIND_OPTION,
    posts: { type: 'string', placeholder: '<file>', description: "JSONL file of posts ('-' = stdin)" },
    show: { type: 'string', placeholder: '<n>', description: `Matched posts to show (default ${DEFAULT_SHOWN})` },
    output: {
      type: 'string',
      short: 'o',
      placeholder: '<file>',
      description: 'Write the matched lines to this JSONL file, replacing it (not the --posts file)',
    },
    expect: { type: 'string', placeholder: '<n>', description: 'Fail (exit 1) unless exactly n posts match' },
  },
  maxPositionals: 1,
  examples: [
    `insight rules test '["in", "coffee", {"fl": ["title", "asr"]}]' --posts posts.jsonl`,
    'insight rules test -f rule.json --posts backtrack-1.jsonl --output matched.jsonl --json',
    'insight rules test -f rule.json --posts posts.jsonl --expect 42',
  ],
  async run({ out, io }, values, [positional]) {
    if (values.posts === undefined) throw usageError('missing --posts <file.jsonl> (see: insight rules test --help)');
    if (values.posts === '-' && positional === undefined && (values.file === undefined || values.file === '-')) {
      throw usageError('the rule and the posts cannot both come from stdin');
    }
    const shown = parseCount(values.show, '--show') ?? DEFAULT_SHOWN;
    const expected = parseCount(values.expect, '--expect');
    const { rule } = await loadRule(positional, values.file, parseRuleKind(values.kind), io);
    const compiled = compileRule(rule);
    const output = values.output === undefined ? undefined : await openMatchesFile(values.output, values.posts, io);

    const started = performance.now();
    let posts = 0;
    let matched = 0;
    const examples: { line: number; postId: unknown; title: string; matched: string[] }[] = [];
    try {
      for await (const { line, value } of readJsonLines(values.posts, io)) {
        const post = postOf(value);
        if (post === undefined) throw invalidInput(`${values.posts} line ${line}: a post must be a JSON object`);
        posts++;
        if (!compiled.match(post)) continue;
        matched++;
        const pending = output?.write(JSON.stringify(value));
        if (pending) await pending;
        if (examples.length < shown) {
          const title = typeof post.title === 'string' ? post.title : '';
          examples.push({ line, postId: post.post_id, title, matched: matchedTerms(compiled.explain(post)) });
        }
      }
    } catch (error) {
      await output?.close().catch(() => undefined);
      throw error;
    }
    await output?.close();
    const ms = performance.now() - started;
    const passed = expected === undefined || expected === matched;

    const { style } = out;
    out.result(
      { posts, matched, ms: Math.round(ms), examples, ...(expected === undefined ? {} : { expected, passed }) },
      (r) => [
        `${passed ? style.green('✓') : style.red('✗')} ${formatCount(r.matched)} of ${formatCount(r.posts)} posts match ${style.dim(`(${formatDuration(ms)})`)}`,
        ...(expected !== undefined && !passed ? [`  expected ${formatCount(expected)}`] : []),
        ...r.examples.map(
          (e) =>
            `  ${style.dim(`line ${e.line}`)} ${String(e.postId ?? '')} ${truncate(e.title, 60)} ${style.cyan(e.matched.join(', '))}`,
        ),
      ],
    );
    return passed ? EXIT_CODES.OK : EXIT_CODES.FAILURE;
  },
});

/**
 * Opens the `--output` of the matches, emptied. The posts file is refused as output: opening it would empty it before
 * it is read.
 */
async function openMatchesFile(path: string, posts: string, io: Io): Promise<OutputFile> {
  const output = resolve(io.cwd, path);
  if (posts !== '-' && (await sameFile(output, resolve(io.cwd, posts)))) {
    throw usageError(`--output: '${path}' is the --posts file; writing the matches there would empty it`);
  }
  return openOutputFile(output, { truncate: true });
}

/** Whether two paths name the same file (through links too); a path that does not exist is no file. */
async function sameFile(a: string, b: string): Promise<boolean> {
  if (a === b) return true;
  const [first, second] = await Promise.all([stat(a).catch(() => undefined), stat(b).catch(() => undefined)]);
  return first !== undefined && second !== undefined && first.dev === second.dev && first.ino === second.ino;
}

/** A non-negative integer flag. */
function parseCount(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw usageError(`${flag}: '${value}' is not a whole number`);
  return Number(value);
}
