import { NFKC_UNIT } from './normalize.js';

/**
 * Called for each keyword occurrence with the keyword's index and the end offset (exclusive) of the occurrence in the
 * normalised text. Returning `true` stops the scan.
 */
export type HitHandler = (keyword: number, end: number) => boolean;

/** A multi-keyword matcher: one pass over a text finds every occurrence of every keyword. */
export interface Automaton {
  /** The keywords, normalised, in index order. */
  readonly keywords: readonly string[];
  /**
   * Reports every occurrence of every keyword in `normalizeText(text)`, in order of end offset; returns `true` if the
   * handler stopped the scan. The text is normalised only when it holds a character NFKC might change.
   */
  scan(text: string, onHit: HitHandler): boolean;
}

/** The scan table before any keyword: 0 for units NFKC maps on their own, -1 for units it must see in context. */
const SCAN_TABLE_BASE = Int32Array.from(NFKC_UNIT, (target) => (target >= 0 ? 0 : -1));

/** For each code unit, the units that NFKC and ASCII case folding map to it on their own (itself included). */
const SOURCES: ReadonlyMap<number, readonly number[]> = (() => {
  const sources = new Map<number, number[]>();
  NFKC_UNIT.forEach((target, unit) => {
    if (target < 0) return;
    const folded = foldAscii(target);
    const list = sources.get(folded);
    if (list === undefined) sources.set(folded, [unit]);
    else list.push(unit);
  });
  return sources;
})();

/**
 * Builds an Aho–Corasick automaton over normalised, distinct, non-empty keywords, in any order.
 *
 * Layout, chosen for a tight scan loop that never allocates: code units map to a compact alphabet through one 64 K
 * table, which also applies case folding and the context-free part of NFKC (full-width forms; see `NFKC_UNIT`) for
 * free; goto edges live in a double array (`base`/`check`: the child of state s by class k is `base[s] + k` when
 * `check[base[s] + k] === s`), so a transition is two loads; failure links are followed on a miss. The table flags the
 * code units whose NFKC depends on context (stored negated), so the scan runs on the raw text and calls `normalize()`
 * only when such a unit shows up.
 */
export function createAutomaton(keywords: readonly string[]): Automaton {
  // Classes are handed out in order of first appearance; only the units the keywords use get one.
  const unitClass = new Int32Array(0x10000);
  const table = new Int32Array(SCAN_TABLE_BASE);
  let alphabet = 1;
  for (const keyword of keywords) {
    for (let i = 0; i < keyword.length; i++) {
      const unit = keyword.charCodeAt(i);
      if (unitClass[unit] !== 0) continue;
      const cls = alphabet++;
      unitClass[unit] = cls;
      for (const source of SOURCES.get(unit) ?? []) table[source] = cls;
      if (NFKC_UNIT[unit]! < 0) table[unit] = -cls - 1;
    }
  }

  // The trie, in typed arrays. Edges are found through one open-addressing hash keyed by (parent, class), which
  // costs a few probes per keyword unit where sorting the keywords first would cost a string comparison per pair.
  let capacity = 1;
  for (const keyword of keywords) capacity += keyword.length;
  const firstChild = new Int32Array(capacity).fill(-1);
  const nextSibling = new Int32Array(capacity).fill(-1);
  const parentOf = new Int32Array(capacity);
  const nodeClass = new Int32Array(capacity);
  const terminal = new Int32Array(capacity).fill(-1);
  let slots = 16;
  while (slots < capacity * 2) slots *= 2;
  const edge = new Int32Array(slots); // a child node, or 0 for an empty slot (the root is nobody's child)
  let nodes = 1;
  keywords.forEach((keyword, index) => {
    let node = 0;
    for (let depth = 0; depth < keyword.length; depth++) {
      const cls = unitClass[keyword.charCodeAt(depth)]!;
      let slot = (Math.imul(node, 0x9e3779b1) ^ Math.imul(cls, 0x85ebca6b)) & (slots - 1);
      for (; edge[slot] !== 0; slot = (slot + 1) & (slots - 1)) {
        const child = edge[slot]!;
        if (parentOf[child] === node && nodeClass[child] === cls) break;
      }
      if (edge[slot] === 0) {
        const child = nodes++;
        edge[slot] = child;
        parentOf[child] = node;
        nodeClass[child] = cls;
        nextSibling[child] = firstChild[node]!;
        firstChild[node] = child;
      }
      node = edge[slot]!;
    }
    terminal[node] = index;
  });

  // Place the trie in the double array, breadth first. The root sits at 0 with base 0, so its row is dense.
  let size = 64;
  while (size < (nodes + alphabet) * 2) size *= 2;
  let base = new Int32Array(size);
  let check = new Int32Array(size).fill(-1);
  // `skip[p]`, for an occupied p, is a position no further than the first free one after p (positions are never
  // freed, so the hint stays true); following and compressing these keeps placement near linear.
  let skip = new Int32Array(size);
  const ensure = (index: number): void => {
    if (index < size) return;
    while (size <= index) size *= 2;
    const widen = (array: Int32Array<ArrayBuffer>, fill: number): Int32Array<ArrayBuffer> => {
      const wider = new Int32Array(size).fill(fill);
      wider.set(array);
      return wider;
    };
    base = widen(base, 0);
    check = widen(check, -1);
    skip = widen(skip, 0);
  };
  check[0] = 0;
  const freeFrom = (start: number): number => {
    let pos = start;
    for (; check[pos] !== -1; pos = Math.max(skip[pos]!, pos + 1)) ensure(pos + 1 + alphabet);
    for (let p = start; p < pos; ) {
      const next = Math.max(skip[p]!, p + 1);
      skip[p] = pos;
      p = next;
    }
    return pos;
  };
  // The smallest base that puts every child of the node on a free position. Anchoring the search on the smallest
  // class keeps every base non-negative.
  const findBase = (node: number): number => {
    let first = alphabet;
    for (let child = firstChild[node]!; child !== -1; child = nextSibling[child]!) {
      first = Math.min(first, nodeClass[child]!);
    }
    search: for (let pos = freeFrom(first); ; pos = freeFrom(pos + 1)) {
      ensure(pos + alphabet);
      const candidate = pos - first;
      for (let child = firstChild[node]!; child !== -1; child = nextSibling[child]!) {
        if (check[candidate + nodeClass[child]!] !== -1) continue search;
      }
      return candidate;
    }
  };

  // Breadth-first order of trie nodes, with the state (position) each was given.
  const queue = new Int32Array(nodes);
  const stateOf = new Int32Array(nodes);
  let tail = 1;
  for (let head = 0; head < tail; head++) {
    const node = queue[head]!;
    if (firstChild[node] === -1) continue;
    const state = stateOf[node]!;
    const stateBase = node === 0 ? 0 : findBase(node);
    base[state] = stateBase;
    for (let child = firstChild[node]!; child !== -1; child = nextSibling[child]!) {
      const target = stateBase + nodeClass[child]!;
      ensure(target + alphabet);
      check[target] = state;
      stateOf[child] = target;
      queue[tail++] = child;
    }
  }

  // Failure links, dictionary links and outputs, in breadth-first order so that a state's failure target is done.
  const fail = new Int32Array(size);
  const keywordAt = new Int32Array(size).fill(-1);
  const report = new Int32Array(size).fill(-1); // the first state on the failure chain that ends a keyword
  const link = new Int32Array(size).fill(-1); // the next such state after this one
  for (let head = 0; head < nodes; head++) {
    const node = queue[head]!;
    const state = stateOf[node]!;
    for (let child = firstChild[node]!; child !== -1; child = nextSibling[child]!) {
      const target = stateOf[child]!;
      const cls = nodeClass[child]!;
      let failTo = 0;
      if (state !== 0) {
        for (let f = fail[state]!; ; f = fail[f]!) {
          const next = base[f]! + cls;
          if (check[next] === f) {
            failTo = next;
            break;
          }
          if (f === 0) break;
        }
      }
      fail[target] = failTo;
      keywordAt[target] = terminal[child]!;
      link[target] = report[failTo]!;
      report[target] = terminal[child]! >= 0 ? target : link[target]!;
    }
  }

  return createScanner(keywords, table, base, check, fail, report, link, keywordAt);
}

function createScanner(
  keywords: readonly string[],
  table: Int32Array,
  base: Int32Array,
  check: Int32Array,
  fail: Int32Array,
  report: Int32Array,
  link: Int32Array,
  keywordAt: Int32Array,
): Automaton {
  const emit = (state: number, end: number, onHit: HitHandler): boolean => {
    for (let r = report[state]!; r >= 0; r = link[r]!) {
      if (onHit(keywordAt[r]!, end)) return true;
    }
    return false;
  };

  // The state after reading a unit of class `cls` (> 0): the goto edge, else the failure chain's, else the root.
  const step = (from: number, cls: number): number => {
    for (let state = from; ; state = fail[state]!) {
      const next = base[state]! + cls;
      if (check[next] === state) return next;
      if (state === 0) return 0;
    }
  };

  // Scans text already in NFKC, reporting only occurrences that end at or after `minEnd`.
  const scanNormalized = (text: string, minEnd: number, onHit: HitHandler): boolean => {
    let state = 0;
    for (let i = 0; i < text.length; i++) {
      let cls = table[text.charCodeAt(i)]!;
      if (cls < 0) cls = -cls - 1;
      state = cls === 0 ? 0 : step(state, cls);
      if (report[state]! >= 0 && i + 1 >= minEnd && emit(state, i + 1, onHit)) return true;
    }
    return false;
  };

  return {
    keywords,
    scan(text: string, onHit: HitHandler): boolean {
      const length = text.length;
      let state = 0;
      for (let i = 0; i < length; i++) {
        const cls = table[text.charCodeAt(i)]!;
        if (cls <= 0) {
          // A unit whose NFKC depends on context can also change the unit before it. Occurrences ending before that
          // one stand; the rest are found again in the normalised text, whose prefix up to there is the same.
          if (cls < 0) return scanNormalized(text.normalize('NFKC'), i, onHit);
          state = 0;
          continue;
        }
        state = step(state, cls);
        // An occurrence counts once the next unit is known to leave it intact (see above).
        if (report[state]! >= 0 && (i + 1 === length || table[text.charCodeAt(i + 1)]! >= 0)) {
          if (emit(state, i + 1, onHit)) return true;
        }
      }
      return false;
    },
  };
}

function foldAscii(unit: number): number {
  return unit >= 0x41 && unit <= 0x5a ? unit + 0x20 : unit;
}
