import { compileRule, RULE_FIELD_INFO, type Rule, type RuleField } from '@insight/rules';
import { type PostColumn, SCAN_ROW_COLUMNS, type ScanRow } from './post-store.js';

/** A compiled rule that reads scan rows directly. */
export interface RowMatcher {
  /** The columns a scan must select for {@link RowMatcher.match}, in this order. */
  readonly columns: readonly PostColumn[];
  /** Whether a row matches, whatever its status: callers decide what a matching deleted post means. */
  match(row: ScanRow): boolean;
}

/** Compiles a validated rule, given the fields it tests (`validateRule(...).stats.fields`), into a row matcher. */
export function createRowMatcher(rule: Rule, fields: readonly RuleField[]): RowMatcher {
  const compiled = compileRule(rule);
  // Each field is read from the column named after its `item_doc` property.
  const read = [...new Set(fields)].map((field) => RULE_FIELD_INFO[field]);
  const columns = read.map((info) => info.property);
  // One document, refilled for every row: the compiled rule reads the raw column strings (it normalises them itself),
  // so a scan builds no object per post.
  const doc: Record<string, unknown> = Object.fromEntries(columns.map((column) => [column, undefined]));
  return {
    columns,
    match(row) {
      for (let i = 0; i < read.length; i++) {
        const value = row[SCAN_ROW_COLUMNS + i];
        const { property, type } = read[i]!;
        // A list column (`tags`) holds its JSON text.
        doc[property] = type === 'list' && typeof value === 'string' ? JSON.parse(value) : value;
      }
      return compiled.match(doc);
    },
  };
}
