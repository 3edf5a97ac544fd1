import { compileRule, type Rule, type RuleField } from '@insight/rules';
import { type PostColumn, SCAN_ROW_COLUMNS, type ScanRow } from './post-store.js';

/** The column each rule field is read from; the column names are the `item_doc` properties rules read. */
const FIELD_COLUMNS: { readonly [F in RuleField]: PostColumn } = {
  title: 'title',
  asr: 'asr',
  ocr: 'ocr',
  tags: 'tags',
  poi_name: 'poi_name',
  poi_city_name: 'poi_city_name',
  based_location: 'based_location',
  same_origin_origin_id: 'origin_id',
  same_origin_post_id: 'post_id',
};

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
  const columns = [...new Set(fields.map((field) => FIELD_COLUMNS[field]))];
  // One document, refilled for every row: the compiled rule reads the raw column strings (it normalises them itself),
  // so a scan builds no object per post.
  const doc: Record<string, unknown> = Object.fromEntries(columns.map((column) => [column, undefined]));
  return {
    columns,
    match(row) {
      for (let i = 0; i < columns.length; i++) {
        const value = row[SCAN_ROW_COLUMNS + i];
        const column = columns[i]!;
        doc[column] = column === 'tags' && typeof value === 'string' ? JSON.parse(value) : value;
      }
      return compiled.match(doc);
    },
  };
}
