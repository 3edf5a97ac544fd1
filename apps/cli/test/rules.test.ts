import { mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, spawnCli } from './support/run-cli.js';

const RULE = '["or", ["in", "coffee", {"fl": ["title", "asr"]}], ["list_intersect", {"f": "tags"}, ["food"]]]';
const POSTS = [
  { post_id: '1', title: 'Morning coffee in Paris', tags: ['travel'] },
  { msg_id: 'm2', item_doc: { post_id: '2', title: 'Dinner', tags: ['food'] } },
  { post_id: '3', title: 'Nothing to see', tags: ['misc'] },
  { collector: '4', offset: 7, item_doc: { post_id: '4', title: 'tea', feature: { asr: 'COFFEE please' } } },
];

function postsFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'insight-cli-'));
  const file = join(dir, 'posts.jsonl');
  writeFileSync(file, `${POSTS.map((p) => JSON.stringify(p)).join('\n')}\n\n`);
  return file;
}

describe('insight rules', () => {
  it('check accepts a valid rule and reports its measures', async () => {
    const human = await runCli(['rules', 'check', RULE]);
    expect(human.code).toBe(0);
    expect(human.stdout).toContain('✓ valid backtrack rule');
    expect(human.stdout).toContain('keywords: coffee');

    const json = await runCli(['rules', 'check', RULE, '--json', '--kind', 'realtime']);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({
      valid: true,
      kind: 'realtime',
      stats: { depth: 1, conditions: 2 },
    });
  });

  it('check names every problem of an invalid rule with its path, and exits 3', async () => {
    const bad = '["and", ["in", "", {"f": "titel"}]]';
    const human = await runCli(['rules', 'check', bad]);
    expect(human.code).toBe(3);
    expect(human.stdout).toContain('✗ invalid backtrack rule: 2 problems');
    expect(human.stdout).toContain('rule[1][2].f');

    const json = await runCli(['rules', 'check', '--json', '--file', '-'], { stdin: bad });
    expect(json.code).toBe(3);
    const result = JSON.parse(json.stdout);
    expect(result.valid).toBe(false);
    expect(result.errors.map((e: { path: string }) => e.path)).toContain('rule[1][2].f');
  });

  it('reports a rule that is not JSON as invalid input', async () => {
    const run = await runCli(['rules', 'check', '["and",']);
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/^error: the rule argument is not valid JSON/);
    expect(run.stderr).not.toContain('    at ');
  });

  it('fmt turns the one-line syntax into JSON and back', async () => {
    const line = 'title:"coffee" AND poi_city_name IN ["上海市", "杭州市"]';
    const json = await runCli(['rules', 'fmt', line, '--to', 'compact']);
    expect(json.code).toBe(0);
    const rule = JSON.parse(json.stdout);
    expect(rule).toEqual([
      'and',
      ['in', 'coffee', { f: 'title' }],
      ['in_list', { f: 'poi_city_name' }, ['上海市', '杭州市']],
    ]);
    const back = await runCli(['rules', 'fmt', json.stdout, '--to', 'line']);
    expect(back.code).toBe(0);
    const again = await runCli(['rules', 'fmt', back.stdout, '--to', 'compact']);
    expect(JSON.parse(again.stdout)).toEqual(rule);
  });

  it('fmt --write rewrites a rule file, and a syntax error names its column', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'insight-cli-'));
    const file = join(dir, 'rule.txt');
    writeFileSync(file, 'tags ANY ["美食"] OR title:"tea"');
    const run = await runCli(['rules', 'fmt', '--file', file, '--write', '--to', 'compact']);
    expect(run.code).toBe(0);
    expect(JSON.parse(readFileSync(file, 'utf8'))[0]).toBe('or');

    const bad = await runCli(['rules', 'check', 'title:"coffee" AND AND']);
    expect(bad.code).toBe(3);
    expect(bad.stderr).toMatch(/column \d+/);
  });

  it('explain shows the rule in words, and why a post matches', async () => {
    const tree = await runCli(['rules', 'explain', RULE]);
    expect(tree.code).toBe(0);
    expect(tree.stdout).toContain('any of:');
    expect(tree.stdout).toContain('title|asr contains "coffee"');

    const post = await runCli([
      'rules',
      'explain',
      RULE,
      '--post',
      '{"title": "Café? No: COFFEE", "tags": []}',
      '--json',
    ]);
    expect(post.code).toBe(0);
    const explanation = JSON.parse(post.stdout);
    expect(explanation.matched).toBe(true);
    expect(explanation.conditions[0].hits[0]).toMatchObject({ field: 'title', text: 'coffee' });
  });

  it('test runs a rule over a JSONL file and writes the matches', async () => {
    const file = postsFile();
    const output = join(file, '..', 'matched.jsonl');
    const human = await runCli(['rules', 'test', RULE, '--posts', file, '--output', output]);
    expect(human.code).toBe(0);
    expect(human.stdout).toContain('3 of 4 posts match');
    expect(human.stdout).toContain('coffee (asr)');
    const written = readFileSync(output, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(written).toEqual([POSTS[0], POSTS[1], POSTS[3]]);

    const json = await runCli(['rules', 'test', RULE, '--posts', file, '--json', '--expect', '2']);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ posts: 4, matched: 3, expected: 2, passed: false });
  });

  it('test refuses an output it cannot open, and the posts file as output', async () => {
    const file = postsFile();
    const missing = join(file, '..', 'missing', 'matched.jsonl');
    const unopened = await runCli(['rules', 'test', RULE, '--posts', file, '-o', missing]);
    expect(unopened.code).toBe(2);
    expect(unopened.stderr).toBe(`error: cannot open ${missing} for writing: ENOENT (no such file or directory)\n`);

    const before = readFileSync(file, 'utf8');
    const same = await runCli(['rules', 'test', RULE, '--posts', file, '-o', join(file, '..', '.', 'posts.jsonl')]);
    expect(same.code).toBe(2);
    expect(same.stderr).toContain('is the --posts file; writing the matches there would empty it');
    const linked = join(file, '..', 'linked.jsonl');
    symlinkSync(file, linked);
    expect((await runCli(['rules', 'test', RULE, '--posts', linked, '-o', file])).code).toBe(2);
    expect(readFileSync(file, 'utf8')).toBe(before);
  });

  it('ends quietly when the reader of its output goes away', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'insight-cli-'));
    const file = join(dir, 'many.jsonl');
    const lines = Array.from({ length: 5000 }, (_, i) => JSON.stringify({ post_id: String(i), title: `coffee ${i}` }));
    writeFileSync(file, `${lines.join('\n')}\n`);
    const child = spawnCli(['rules', 'test', RULE, '--posts', file, '--show', '5000']);
    child.stdin.end();
    // Like `| head -1`: the reader takes the first chunk and closes the pipe.
    child.stdout.once('data', () => child.stdout.destroy());
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });

  it('test names the line of a malformed post', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'insight-cli-'));
    const file = join(dir, 'bad.jsonl');
    writeFileSync(file, '{"title": "ok"}\n{"title": \n');
    const run = await runCli(['rules', 'test', RULE, '--posts', file]);
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('bad.jsonl line 2 is not valid JSON');
  });

  it('usage errors exit 2 and point at --help', async () => {
    const missing = await runCli(['rules', 'test', RULE]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('missing --posts');
    const kind = await runCli(['rules', 'check', RULE, '--kind', 'weekly']);
    expect(kind.code).toBe(2);
    expect(kind.stderr).toContain("--kind: 'weekly' is not one of backtrack, realtime, realtime-sync");
  });
});
