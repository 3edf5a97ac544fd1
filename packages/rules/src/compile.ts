import { type Automaton, createAutomaton, type HitHandler } from './automaton.js';
import { asText, RULE_FIELD_INFO, RULE_FIELDS, type RuleDocument, type RuleField, readField } from './fields.js';
import { normalizeQuickly, normalizeText } from './normalize.js';
import { fieldsOf, isLogicNode, type LeafNode, type Rule, type RuleNode } from './types.js';
import { assertRuleShape } from './validate.js';

/** Where a condition found what it looked for. */
export interface RuleHit {
  /** The field the text was found in. */
  readonly field: RuleField;
  /** For a list field (`tags`), the index of the element; absent for one-value fields. */
  readonly element?: number;
  /**
   * Offsets `[start, end)` in UTF-16 code units of the element's normalised text (`normalizeText(value)`). They are
   * also offsets into the original text wherever normalisation maps unit by unit, as for CJK, ASCII and full-width
   * forms.
   */
  readonly start: number;
  /** End offset (exclusive); see {@link RuleHit.start}. */
  readonly end: number;
  /** The normalised keyword or value that was found. */
  readonly text: string;
}

/** One condition of a rule and what it found in a post. */
export interface ExplainedCondition {
  /** The condition's path in the rule: `rule[1][2]`. */
  readonly path: string;
  /** The condition itself. */
  readonly node: LeafNode;
  /** Whether the condition holds for the post. */
  readonly matched: boolean;
  /** Every occurrence found, in field order then position order. */
  readonly hits: readonly RuleHit[];
}

/** Why a rule did or did not match a post. */
export interface RuleExplanation {
  /** Whether the rule matches the post (the same answer as `match`). */
  readonly matched: boolean;
  /** Every condition of the rule, in rule order. */
  readonly conditions: readonly ExplainedCondition[];
}

/** A rule compiled for matching many posts. Not safe for concurrent use from several threads (none share it in JS). */
export interface CompiledRule {
  /** The rule this was compiled from. */
  readonly rule: Rule;
  /** Whether the post matches: the answer of `evaluateRule`, computed in one pass over each field's text. */
  match(doc: RuleDocument): boolean;
  /** Which conditions hold, in which field and where; slower than `match`, meant for people. */
  explain(doc: RuleDocument): RuleExplanation;
}

interface KeywordScanner {
  readonly field: RuleField;
  readonly automaton: Automaton;
  /** Condition node ids per keyword, in CSR form: those of keyword k are `ids[start[k]] … ids[start[k + 1] - 1]`. */
  readonly start: Int32Array;
  readonly ids: Int32Array;
  /** Epoch stamp per keyword, so that a keyword occurring many times is handled once per post. */
  readonly seen: Int32Array;
  /** Scans one text for `match`, created once so that matching allocates nothing per post. */
  readonly matchText: (text: string) => boolean;
}

interface ValueLookup {
  readonly field: RuleField;
  /** Normalised value → condition node ids. */
  readonly values: ReadonlyMap<string, readonly number[]>;
  /** Looks one text up for `match`. */
  readonly matchText: (text: string) => boolean;
}

/**
 * Compiles a rule into a matcher whose cost per post is one pass over each field's text, whatever the number of
 * keywords: one Aho–Corasick automaton over all of the rule's keywords finds them (a hit counts only for the conditions
 * on the field being scanned), a hash lookup finds list values, and the logic is updated only for the conditions that
 * hit, stopping as soon as the rule is decided. Text is normalised once per post, and only when it holds characters
 * NFKC could change. Throws a `RuleValidationError` if the rule is malformed; kind limits are not checked (see
 * `validateRule`).
 */
export function compileRule(rule: Rule): CompiledRule {
  const checked = assertRuleShape(rule);

  // The tree as arrays, in preorder: node 0 is the root; a condition is true once hit, a logic node once `need`
  // children are. `position` is a node's index in its parent, enough to spell its path when `explain` needs it.
  const nodeAt: RuleNode[] = [];
  const parent: number[] = [];
  const position: number[] = [];
  const need: number[] = [];
  const conditions: number[] = []; // the ids of the leaves
  const visit = (node: RuleNode, at: number, parentId: number): void => {
    const id = parent.length;
    nodeAt.push(node);
    parent.push(parentId);
    position.push(at);
    if (isLogicNode(node)) {
      need.push(node[0] === 'and' ? node.length - 1 : 1);
      for (let i = 1; i < node.length; i++) visit(node[i] as RuleNode, i, id);
    } else {
      need.push(1);
      conditions.push(id);
    }
  };
  visit(checked, 0, -1);

  // Every distinct keyword once, in one automaton shared by all fields; per field, the (keyword, condition) pairs
  // that say which conditions a hit in that field satisfies.
  const keywordIndex = new Map<string, number>();
  const pairs = new Map<RuleField, number[]>();
  const valueIds = new Map<RuleField, Map<string, number[]>>();
  for (const id of conditions) {
    const node = nodeAt[id] as LeafNode;
    if (node[0] === 'in') {
      const keyword = normalizeQuickly(node[1]);
      let k = keywordIndex.get(keyword);
      if (k === undefined) {
        k = keywordIndex.size;
        keywordIndex.set(keyword, k);
      }
      for (const field of fieldsOf(node[2])) {
        const list = pairs.get(field);
        if (list === undefined) pairs.set(field, [k, id]);
        else list.push(k, id);
      }
    } else {
      for (const field of fieldsOf(node[1])) {
        let byValue = valueIds.get(field);
        if (byValue === undefined) {
          byValue = new Map();
          valueIds.set(field, byValue);
        }
        for (const value of node[2]) {
          const normalized = normalizeQuickly(value);
          const ids = byValue.get(normalized);
          if (ids === undefined) byValue.set(normalized, [id]);
          else if (ids[ids.length - 1] !== id) ids.push(id);
        }
      }
    }
  }

  const trueStamp = new Int32Array(parent.length);
  const countStamp = new Int32Array(parent.length);
  const count = new Int32Array(parent.length);
  let epoch = 0;

  // Marks node `id` true for this post and propagates upwards; returns true when that makes the root true.
  const fire = (id: number): boolean => {
    for (;;) {
      if (trueStamp[id] === epoch) return false;
      trueStamp[id] = epoch;
      const up = parent[id]!;
      if (up < 0) return true;
      if (countStamp[up] !== epoch) {
        countStamp[up] = epoch;
        count[up] = 0;
      }
      count[up] += 1;
      if (count[up]! < need[up]!) return false;
      id = up;
    }
  };

  const automaton = createAutomaton([...keywordIndex.keys()]);
  const scanners: KeywordScanner[] = RULE_FIELDS.filter((field) => pairs.has(field)).map((field) => {
    // The field's pairs grouped by keyword (a counting sort), so that a hit finds its conditions in one slice.
    const list = pairs.get(field)!;
    const start = new Int32Array(keywordIndex.size + 1);
    for (let p = 0; p < list.length; p += 2) start[list[p]! + 1]! += 1;
    for (let k = 0; k < keywordIndex.size; k++) start[k + 1]! += start[k]!;
    const ids = new Int32Array(list.length / 2);
    const fill = start.slice(0, keywordIndex.size);
    for (let p = 0; p < list.length; p += 2) ids[fill[list[p]!]!++] = list[p + 1]!;
    const seen = new Int32Array(keywordIndex.size);
    const onHit: HitHandler = (keyword) => {
      if (seen[keyword] === epoch) return false;
      seen[keyword] = epoch;
      for (let j = start[keyword]!; j < start[keyword + 1]!; j++) {
        if (fire(ids[j]!)) return true;
      }
      return false;
    };
    const matchText = (text: string): boolean => automaton.scan(text, onHit);
    return { field, automaton, start, ids, seen, matchText };
  });
  const lookups: ValueLookup[] = RULE_FIELDS.filter((field) => valueIds.has(field)).map((field) => {
    const values = valueIds.get(field)!;
    const matchText = (text: string): boolean => {
      const ids = values.get(normalizeQuickly(text));
      return ids?.some(fire) ?? false;
    };
    return { field, values, matchText };
  });

  const stamps = [trueStamp, countStamp, ...scanners.map((scanner) => scanner.seen)];
  const nextEpoch = (): void => {
    if (epoch === 0x7fffffff) {
      for (const stamp of stamps) stamp.fill(0);
      epoch = 0;
    }
    epoch += 1;
  };

  // Condition paths, spelled out the first time `explain` needs them (parents come before children in preorder).
  let paths: string[] | undefined;
  const pathOf = (id: number): string => {
    if (paths === undefined) {
      paths = ['rule'];
      for (let i = 1; i < parent.length; i++) paths.push(`${paths[parent[i]!]}[${position[i]}]`);
    }
    return paths[id]!;
  };

  return {
    rule: checked,

    match(doc: RuleDocument): boolean {
      if (typeof doc !== 'object' || doc === null) return false;
      nextEpoch();
      for (const { field, matchText } of lookups) {
        if (forEachText(doc, field, matchText)) return true;
      }
      for (const { field, matchText } of scanners) {
        if (forEachText(doc, field, matchText)) return true;
      }
      return false;
    },

    explain(doc: RuleDocument): RuleExplanation {
      nextEpoch();
      const hits = new Map<number, RuleHit[]>(conditions.map((id) => [id, []]));
      const record = (id: number, hit: RuleHit): void => {
        hits.get(id)!.push(hit);
        fire(id);
      };
      if (typeof doc === 'object' && doc !== null) {
        for (const { field, values } of lookups) {
          forEachText(doc, field, (text, element) => {
            const normalized = normalizeText(text);
            for (const id of values.get(normalized) ?? []) {
              record(id, hitAt(field, element, 0, normalized.length, normalized));
            }
            return false;
          });
        }
        for (const { field, automaton, start, ids } of scanners) {
          forEachText(doc, field, (text, element) =>
            automaton.scan(text, (keyword, end) => {
              const found = automaton.keywords[keyword]!;
              for (let j = start[keyword]!; j < start[keyword + 1]!; j++) {
                record(ids[j]!, hitAt(field, element, end - found.length, end, found));
              }
              return false;
            }),
          );
        }
      }
      return {
        matched: trueStamp[0] === epoch,
        conditions: conditions.map((id) => ({
          path: pathOf(id),
          node: nodeAt[id] as LeafNode,
          matched: trueStamp[id] === epoch,
          hits: hits.get(id)!,
        })),
      };
    },
  };
}

/**
 * Calls `visit` for each non-empty text of a field (one for a text field, one per string tag), stopping when it
 * returns true; returns whether it did. `element` is the tag's index, or undefined for a one-value field.
 */
function forEachText(
  doc: RuleDocument,
  field: RuleField,
  visit: (text: string, element: number | undefined) => boolean,
): boolean {
  const raw = readField(doc, field);
  if (RULE_FIELD_INFO[field].type === 'list') {
    if (!Array.isArray(raw)) return false;
    for (let i = 0; i < raw.length; i++) {
      const tag: unknown = raw[i];
      if (typeof tag === 'string' && tag.length > 0 && visit(tag, i)) return true;
    }
    return false;
  }
  const text = asText(raw);
  return text !== undefined && text.length > 0 && visit(text, undefined);
}

function hitAt(field: RuleField, element: number | undefined, start: number, end: number, text: string): RuleHit {
  return element === undefined ? { field, start, end, text } : { field, element, start, end, text };
}
