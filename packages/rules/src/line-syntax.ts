import { isRuleField, RULE_FIELDS, type RuleField } from './fields.js';
import { normalizeText } from './normalize.js';
import { didYouMean } from './suggest.js';
import type { FieldRef, Rule, RuleNode } from './types.js';

/** Thrown by {@link parseRuleLine} for text that is not a rule; `column` is 1-based. */
export class RuleSyntaxError extends Error {
  override readonly name = 'RuleSyntaxError';
  /** Where the problem is, counted in UTF-16 code units from 1. */
  readonly column: number;
  /** The problem, without the column. */
  readonly reason: string;

  constructor(column: number, reason: string) {
    super(`column ${column}: ${reason}`);
    this.column = column;
    this.reason = reason;
  }
}

/** Parentheses nested deeper than this are refused (no valid rule needs a tenth of it), so parsing cannot overflow. */
const MAX_NESTING = 64;

type TokenKind = '(' | ')' | '[' | ']' | ',' | '|' | ':' | 'string' | 'word' | 'end';

interface Token {
  readonly kind: TokenKind;
  /** The decoded string for `string`, the word for `word`, the character otherwise. */
  readonly text: string;
  readonly column: number;
}

/**
 * Reads the one-line rule syntax (see the package README for the grammar):
 *
 * ```text
 * title:"测试" AND (asr|ocr):"火山"
 * poi_city_name IN ["北京", "上海"] OR tags ANY ["美食"]
 * AND(OR(title:"测试"))
 * ```
 *
 * `AND` binds tighter than `OR`; parentheses group; `AND(…)`/`OR(…)` make a logic node with one child. Operator words
 * are case-insensitive, field names are not. Strings are JSON strings. The result is well-formed; check it against a
 * task kind's limits with `validateRule`. Throws a {@link RuleSyntaxError} naming the column.
 */
export function parseRuleLine(text: string): Rule {
  const tokens = tokenize(text);
  let index = 0;
  let nesting = 0;
  const peek = (offset = 0): Token => tokens[Math.min(index + offset, tokens.length - 1)]!;
  const next = (): Token => tokens[Math.min(index++, tokens.length - 1)]!;
  const isWord = (token: Token, word: string): boolean => token.kind === 'word' && token.text.toUpperCase() === word;
  const fail = (token: Token, expected: string): never => {
    throw new RuleSyntaxError(token.column, `expected ${expected}, got ${describe(token)}`);
  };
  const expect = (kind: TokenKind, expected: string): Token => (peek().kind === kind ? next() : fail(peek(), expected));
  const enter = (token: Token): void => {
    nesting += 1;
    if (nesting > MAX_NESTING) throw new RuleSyntaxError(token.column, `parentheses nested deeper than ${MAX_NESTING}`);
  };

  const chain = (operator: 'OR' | 'AND', operand: () => RuleNode): RuleNode => {
    const children = [operand()];
    while (isWord(peek(), operator)) {
      next();
      children.push(operand());
    }
    return children.length === 1 ? children[0]! : ([operator.toLowerCase(), ...children] as unknown as RuleNode);
  };
  const orExpression = (): RuleNode => chain('OR', andExpression);
  const andExpression = (): RuleNode => chain('AND', unary);

  const unary = (): RuleNode => {
    const token = peek();
    if ((isWord(token, 'AND') || isWord(token, 'OR')) && peek(1).kind === '(') {
      next();
      enter(next());
      const child = orExpression();
      expect(')', '")" to close the operand list');
      nesting -= 1;
      return [token.text.toLowerCase() as 'and' | 'or', child];
    }
    if (token.kind === '(' && !startsFieldList()) {
      enter(next());
      const inner = orExpression();
      expect(')', '")" to close the group');
      nesting -= 1;
      return inner;
    }
    return condition();
  };

  // `(asr|ocr):…` and `(title):…` open a field list, not a group: a word followed by `|` or `)`.
  const startsFieldList = (): boolean => peek(1).kind === 'word' && (peek(2).kind === '|' || peek(2).kind === ')');

  const condition = (): RuleNode => {
    const fields = fieldSelector();
    const token = peek();
    if (token.kind === ':') {
      next();
      const keyword = expect('string', 'a quoted keyword');
      return ['in', nonBlank(keyword, 'keyword'), fields];
    }
    if (isWord(token, 'IN') || isWord(token, 'ANY')) {
      next();
      return [isWord(token, 'IN') ? 'in_list' : 'list_intersect', fields, valueList()];
    }
    return fail(token, '":", IN or ANY after the field');
  };

  // A parenthesised list is always `{"fl"}`, even of one field, so that `(title):…` round-trips.
  const fieldSelector = (): FieldRef => {
    const parenthesised = peek().kind === '(';
    if (parenthesised) next();
    const names: [RuleField, ...RuleField[]] = [fieldName()];
    while (peek().kind === '|') {
      next();
      names.push(fieldName());
    }
    if (parenthesised) expect(')', '"|" or ")" in the field list');
    return names.length === 1 && !parenthesised ? { f: names[0] } : { fl: names };
  };

  const fieldName = (): RuleField => {
    const token = peek();
    if (token.kind !== 'word') return fail(token, 'a field name');
    next();
    if (!isRuleField(token.text)) {
      throw new RuleSyntaxError(token.column, `unknown field "${token.text}"${didYouMean(token.text, RULE_FIELDS)}`);
    }
    return token.text;
  };

  const valueList = (): [string, ...string[]] => {
    const open = expect('[', '"[" to start the list of values');
    const values: string[] = [];
    while (peek().kind !== ']') {
      values.push(
        nonBlank(expect('string', values.length === 0 ? 'a quoted value or "]"' : 'a quoted value'), 'value'),
      );
      if (peek().kind !== ',') break;
      next();
    }
    expect(']', values.length === 0 ? 'a quoted value' : '"," or "]"');
    if (values.length === 0) throw new RuleSyntaxError(open.column, 'the list must hold at least one value');
    return values as [string, ...string[]];
  };

  const result = orExpression();
  if (peek().kind !== 'end') fail(peek(), 'AND, OR or the end of the rule');
  return result;
}

function nonBlank(token: Token, what: string): string {
  if (normalizeText(token.text).trim().length === 0) {
    throw new RuleSyntaxError(token.column, `a ${what} must not be empty or blank`);
  }
  return token.text;
}

function describe(token: Token): string {
  switch (token.kind) {
    case 'end':
      return 'the end of the rule';
    case 'string':
      return `the string ${JSON.stringify(token.text)}`;
    case 'word':
      return `"${token.text}"`;
    default:
      return `"${token.kind}"`;
  }
}

const PUNCTUATION = new Set<string>(['(', ')', '[', ']', ',', '|', ':']);
const ESCAPES: Readonly<Record<string, string>> = {
  '"': '"',
  '\\': '\\',
  '/': '/',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
};

const WORD = /[A-Za-z_][A-Za-z0-9_]*/y;

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const char = text[i]!;
    const column = i + 1;
    if (/\s/.test(char)) {
      i += 1;
    } else if (PUNCTUATION.has(char)) {
      tokens.push({ kind: char as TokenKind, text: char, column });
      i += 1;
    } else if (/[A-Za-z_]/.test(char)) {
      WORD.lastIndex = i;
      const word = WORD.exec(text)![0];
      tokens.push({ kind: 'word', text: word, column });
      i += word.length;
    } else if (char === '"') {
      let value = '';
      i += 1;
      for (;;) {
        if (i >= text.length) throw new RuleSyntaxError(column, 'unterminated string');
        const c = text[i]!;
        if (c === '"') break;
        if (c !== '\\') {
          value += c;
          i += 1;
          continue;
        }
        const escaped = text[i + 1] ?? '';
        if (escaped === 'u' && /^[0-9A-Fa-f]{4}$/.test(text.slice(i + 2, i + 6))) {
          value += String.fromCharCode(Number.parseInt(text.slice(i + 2, i + 6), 16));
          i += 6;
        } else if (Object.hasOwn(ESCAPES, escaped)) {
          value += ESCAPES[escaped];
          i += 2;
        } else {
          throw new RuleSyntaxError(
            i + 1,
            `invalid escape "\\${escaped === 'u' ? text.slice(i + 1, i + 6) : escaped}"`,
          );
        }
      }
      tokens.push({ kind: 'string', text: value, column });
      i += 1;
    } else {
      throw new RuleSyntaxError(column, `unexpected character ${JSON.stringify(char)}`);
    }
  }
  tokens.push({ kind: 'end', text: '', column: text.length + 1 });
  return tokens;
}
