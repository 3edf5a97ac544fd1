/**
 * The text every comparison uses: Unicode NFKC (full-width and half-width forms, ligatures and compatibility
 * characters folded), then the Latin letters A–Z lower-cased. Other scripts keep their case: only ASCII letters are
 * folded, after NFKC, so a full-width `Ａ` becomes `a`.
 */
export function normalizeText(text: string): string {
  return lowerAscii(text.normalize('NFKC'));
}

const ASCII_UPPER = /[A-Z]/;
const ASCII_UPPER_RUNS = /[A-Z]+/g;

function lowerAscii(text: string): string {
  return ASCII_UPPER.test(text) ? text.replace(ASCII_UPPER_RUNS, (run) => run.toLowerCase()) : text;
}

/**
 * For each BMP code unit, the single code unit NFKC maps it to in any context, or -1. A unit qualifies when its NFKC
 * form is one unit from a set of starters that never compose with the character before them (ASCII, CJK ideographs,
 * common CJK punctuation): full-width forms, the ideographic space, CJK compatibility ideographs and those starters
 * themselves. A text made only of such units normalises unit by unit, which lets the matcher skip `normalize()` for
 * nearly all Chinese posts. Surrogates map to -1, so astral characters take the slow path.
 */
export const NFKC_UNIT: Int32Array = buildUnitTable();

function buildUnitTable(): Int32Array {
  const starters = new Uint8Array(0x10000);
  const ranges: ReadonlyArray<readonly [number, number]> = [
    [0x0000, 0x007f], // ASCII
    [0x00b7, 0x00b7], // ·
    [0x2014, 0x2014], // —
    [0x2018, 0x2019], // ‘’
    [0x201c, 0x201d], // “”
    [0x3001, 0x3002], // 、。
    [0x3008, 0x3011], // 〈〉《》「」『』【】
    [0x3400, 0x4dbf], // CJK Extension A
    [0x4e00, 0x9fff], // CJK Unified Ideographs
  ];
  for (const [from, to] of ranges) {
    for (let unit = from; unit <= to; unit++) {
      // Trust the running ICU rather than the list above.
      if (String.fromCharCode(unit).normalize('NFKC') === String.fromCharCode(unit)) starters[unit] = 1;
    }
  }
  const table = new Int32Array(0x10000).fill(-1);
  for (let unit = 0; unit < 0x10000; unit++) {
    if (unit >= 0xd800 && unit <= 0xdfff) continue;
    const form = String.fromCharCode(unit).normalize('NFKC');
    if (form.length === 1 && starters[form.charCodeAt(0)] === 1) table[unit] = form.charCodeAt(0);
  }
  return table;
}

/**
 * {@link normalizeText}, mapping unit by unit when every code unit allows it; the result is the same. A text that is
 * already normal comes back as is, without allocating.
 */
export function normalizeQuickly(text: string): string {
  let mapped = '';
  let copied = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    const target = NFKC_UNIT[unit]!;
    if (target < 0) return normalizeText(text);
    const folded = target >= 0x41 && target <= 0x5a ? target + 0x20 : target;
    if (folded !== unit) {
      mapped += text.slice(copied, i) + String.fromCharCode(folded);
      copied = i + 1;
    }
  }
  return copied === 0 ? text : mapped + text.slice(copied);
}
