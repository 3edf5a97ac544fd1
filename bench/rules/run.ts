// Measures the compiled rule matcher against two peers in the same run: a plain interpreter calling
// `String.includes` per keyword and field, and json-logic-js evaluating the equivalent rule. Data is synthetic and
// seeded: posts of about 600 characters (title + asr + ocr), mostly Chinese with some Latin words, and keywords that
// rarely hit, so that no evaluator can stop early. Usage: pnpm exec tsx rules/run.ts [--posts=100000]
import { compileRule, normalizeText, type Rule, type RuleDocument, type RuleField } from '@insight/rules';
import jsonLogic from 'json-logic-js';
import { numberOption } from '../support/args.js';

const POSTS = numberOption('posts', 100_000);
/** Posts the slow peers see on the 200-leaf rule, and on the 10 000-leaf rule (where they are 50× slower). */
const SUBSET = { includes: Math.min(POSTS, 20_000), jsonLogic: Math.min(POSTS, 5_000) };
const SUBSET_LARGE = { includes: Math.min(POSTS, 400), jsonLogic: Math.min(POSTS, 100) };
const FIELDS: readonly RuleField[] = ['title', 'asr', 'ocr'];

/** mulberry32: small, fast, and the same sequence on every machine. */
function createRandom(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), seed | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const random = createRandom(20240601);
const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
// Character frequency falls off like natural text: a few hundred characters make most of it.
const HAN: string[] = [];
const seenHan = new Set<number>();
while (HAN.length < 3500) {
  const code = 0x4e00 + Math.floor(random() * (0x9fa5 - 0x4e00));
  if (!seenHan.has(code)) HAN.push(String.fromCharCode(code));
  seenHan.add(code);
}
const han = (): string => HAN[Math.floor(HAN.length * random() ** 2.5)]!;
const LATIN = ['vlog', 'iPhone', 'OK', 'AI', 'Python', 'NBA', 'live', 'Beijing', 'coffee', 'MV', 'DIY', 'PK', 'WiFi'];
const PUNCTUATION = ['，', '。', '！', '？', '、', '：', '“', '”'];

// Joined from parts, so that strings are flat as they are when decoded from JSON (a rope would be flattened by
// whichever evaluator touches it first, skewing the comparison).
function text(length: number): string {
  const parts: string[] = [];
  for (let size = 0; size < length; ) {
    const roll = random();
    const part = roll < 0.03 ? ` ${pick(LATIN)} ` : roll < 0.1 ? pick(PUNCTUATION) : han();
    parts.push(part);
    size += part.length;
  }
  return parts.join('');
}

function post(): RuleDocument {
  // One post in a hundred carries an emoji, which sends that field through full NFKC.
  const title = random() < 0.01 ? `${text(28)}😀` : text(30);
  return { title, feature: { asr: text(400), ocr: text(170) } };
}

function keyword(): string {
  if (random() < 0.05) return `${pick(['Tesla', 'Xbox', 'Lego', 'Nikon'])}${Math.floor(random() * 100)}`;
  let word = '';
  const length = 3 + Math.floor(random() * 2);
  while (word.length < length) word += han();
  return word;
}

function orRule(leaves: number): Rule {
  const words = new Set<string>();
  while (words.size < leaves) words.add(keyword());
  const children = [...words].map((word) => ['in', word, { fl: [...FIELDS] }] as const);
  return ['or', ...children] as unknown as Rule;
}

// ---- peers -----------------------------------------------------------------------------------------------------

type Texts = Partial<Record<RuleField, string>>;

/** Normalised text per field, computed once per post, as any fair evaluator would. */
function textsOf(doc: RuleDocument): Texts {
  const feature = doc.feature as { asr?: string; ocr?: string };
  return {
    title: normalizeText(String(doc.title ?? '')),
    asr: normalizeText(feature.asr ?? ''),
    ocr: normalizeText(feature.ocr ?? ''),
  };
}

/** The plain interpreter: walks the tree and calls `String.includes` per keyword and field. */
function createIncludesInterpreter(rule: Rule): (doc: RuleDocument) => boolean {
  type Node = readonly unknown[];
  const prepare = (node: Node): Node =>
    node[0] === 'in'
      ? ['in', normalizeText(node[1] as string), node[2]]
      : [node[0], ...node.slice(1).map((child) => prepare(child as Node))];
  const prepared = prepare(rule);
  const evaluate = (node: Node, texts: Texts): boolean => {
    if (node[0] === 'and') return node.slice(1).every((child) => evaluate(child as Node, texts));
    if (node[0] === 'or') return node.slice(1).some((child) => evaluate(child as Node, texts));
    const ref = node[2] as { f?: RuleField; fl?: RuleField[] };
    const fields = ref.fl ?? [ref.f!];
    return fields.some((field) => texts[field]?.includes(node[1] as string) ?? false);
  };
  return (doc) => evaluate(prepared, textsOf(doc));
}

/** json-logic-js on the equivalent rule: an `or` of `in` per keyword and field. */
function createJsonLogic(rule: Rule): (doc: RuleDocument) => boolean {
  const translate = (node: readonly unknown[]): unknown => {
    if (node[0] === 'and' || node[0] === 'or') {
      return { [node[0] as string]: node.slice(1).map((child) => translate(child as readonly unknown[])) };
    }
    const ref = node[2] as { f?: RuleField; fl?: RuleField[] };
    const keyword = normalizeText(node[1] as string);
    return { or: (ref.fl ?? [ref.f!]).map((field) => ({ in: [keyword, { var: field }] })) };
  };
  const logic = translate(rule) as jsonLogic.RulesLogic;
  return (doc) => Boolean(jsonLogic.apply(logic, textsOf(doc)));
}

// ---- measurement -----------------------------------------------------------------------------------------------

interface Measure {
  name: string;
  posts: number;
  seconds: number;
  matched: number;
}

/** Passes over the posts per evaluator; the fastest counts, since a shared machine only ever slows a pass down. */
const PASSES = 3;

function measure(name: string, match: (doc: RuleDocument) => boolean, docs: readonly RuleDocument[]): Measure {
  for (let i = 0; i < Math.min(docs.length, 2_000); i++) match(docs[i]!); // warm up the JIT
  let best = Number.POSITIVE_INFINITY;
  let matched = 0;
  for (let pass = 0; pass < PASSES; pass++) {
    const started = process.hrtime.bigint();
    matched = 0;
    for (const doc of docs) if (match(doc)) matched += 1;
    best = Math.min(best, Number(process.hrtime.bigint() - started) / 1e9);
  }
  return { name, posts: docs.length, seconds: best, matched };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function compileTime(rule: Rule): number {
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const started = performance.now();
    compileRule(rule);
    times.push(performance.now() - started);
  }
  return median(times);
}

const generationStarted = performance.now();
const docs = Array.from({ length: POSTS }, post);
const bytesPerPost =
  docs.slice(0, 1_000).reduce((sum, doc) => {
    const texts = [doc.title, ...Object.values(doc.feature as Record<string, string>)] as string[];
    return sum + texts.reduce((bytes, t) => bytes + Buffer.byteLength(t), 0);
  }, 0) / Math.min(POSTS, 1_000);
const charsPerPost =
  docs.slice(0, 1_000).reduce((sum, doc) => sum + JSON.stringify(doc).length, 0) / Math.min(POSTS, 1_000);
const small = orRule(200);
const large = orRule(10_000);
console.log(
  `${POSTS} posts, ~${Math.round(charsPerPost)} characters (${Math.round(bytesPerPost)} UTF-8 bytes of text) each, ` +
    `generated in ${((performance.now() - generationStarted) / 1000).toFixed(1)} s; Node ${process.version}`,
);

const rows: Array<Measure & { rule: string }> = [];
const run = (rule: string, name: string, match: (doc: RuleDocument) => boolean, count: number): Measure => {
  const result = measure(name, match, docs.slice(0, count));
  rows.push({ ...result, rule });
  return result;
};

const compiledSmall = run('200 leaves (backtrack)', 'compiled', compileRule(small).match, POSTS);
const includesSmall = run(
  '200 leaves (backtrack)',
  'String.includes',
  createIncludesInterpreter(small),
  SUBSET.includes,
);
const logicSmall = run('200 leaves (backtrack)', 'json-logic-js', createJsonLogic(small), SUBSET.jsonLogic);
const compiledLarge = run('10 000 leaves (realtime)', 'compiled', compileRule(large).match, POSTS);
const includesLarge = run(
  '10 000 leaves (realtime)',
  'String.includes',
  createIncludesInterpreter(large),
  SUBSET_LARGE.includes,
);
run('10 000 leaves (realtime)', 'json-logic-js', createJsonLogic(large), SUBSET_LARGE.jsonLogic);

const rate = (m: Measure): number => m.posts / m.seconds;
console.log('');
console.log(
  `${'rule'.padEnd(26)}${'evaluator'.padEnd(18)}${'posts'.padStart(8)}${'posts/s'.padStart(12)}${'MB/s'.padStart(9)}${'matched'.padStart(9)}`,
);
for (const row of rows) {
  const mbs = (rate(row) * bytesPerPost) / 1e6;
  console.log(
    `${row.rule.padEnd(26)}${row.name.padEnd(18)}${String(row.posts).padStart(8)}${Math.round(rate(row)).toLocaleString('en').padStart(12)}` +
      `${mbs.toFixed(1).padStart(9)}${`${((row.matched / row.posts) * 100).toFixed(2)}%`.padStart(9)}`,
  );
}
console.log(
  `(fastest of ${PASSES} passes; the slower peers run on the first posts only; every evaluator normalises each field once per post)`,
);

// The peers must agree with the matcher on the posts they saw, or the comparison means nothing.
const agree = (peer: (doc: RuleDocument) => boolean, compiled: (doc: RuleDocument) => boolean, count: number) =>
  docs.slice(0, count).every((doc) => peer(doc) === compiled(doc));
const smallMatcher = compileRule(small).match;
const largeMatcher = compileRule(large).match;
const agreement =
  agree(createIncludesInterpreter(small), smallMatcher, SUBSET.jsonLogic) &&
  agree(createJsonLogic(small), smallMatcher, 1_000) &&
  agree(createIncludesInterpreter(large), largeMatcher, SUBSET_LARGE.jsonLogic);

const compileMs = compileTime(large);
const checks: Array<[string, number, string, boolean]> = [
  [
    'compiled / json-logic-js, 200 leaves',
    rate(compiledSmall) / rate(logicSmall),
    '≥ 25×',
    rate(compiledSmall) / rate(logicSmall) >= 25,
  ],
  [
    'compiled / String.includes, 200 leaves',
    rate(compiledSmall) / rate(includesSmall),
    '≥ 5×',
    rate(compiledSmall) / rate(includesSmall) >= 5,
  ],
  [
    'compiled 10 000 leaves / 200 leaves',
    rate(compiledLarge) / rate(compiledSmall),
    '≥ 0.6×',
    rate(compiledLarge) / rate(compiledSmall) >= 0.6,
  ],
  ['compiled, 200 leaves, posts/s', rate(compiledSmall), '≥ 100 000', rate(compiledSmall) >= 100_000],
  ['compileRule(10 000 leaves), ms (median of 5)', compileMs, '< 100', compileMs < 100],
];
console.log('');
for (const [name, value, target, ok] of checks) {
  const shown = value >= 1000 ? Math.round(value).toLocaleString('en') : value.toFixed(value >= 10 ? 1 : 2);
  console.log(`${ok ? 'PASS' : 'FAIL'}  ${name.padEnd(46)}${shown.padStart(10)}   target ${target}`);
}
console.log(`${agreement ? 'PASS' : 'FAIL'}  all evaluators agree on the posts they share`);
console.log(
  `(String.includes on 10 000 leaves: ${Math.round(rate(compiledLarge) / rate(includesLarge))}× slower than compiled)`,
);
if (!agreement || checks.some(([, , , ok]) => !ok)) process.exitCode = 1;
