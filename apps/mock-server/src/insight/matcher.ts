import { compileRule, type Rule, type RuleField } from '@insight/rules';
import type { PostColumn, ScanRow } from './post-store.js';

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
  /** The columns a scan must select for {@link RowMatcher.match}. */
  readonly columns: readonly PostColumn[];
  /** Whether a row matches, whatever its status: callers decide what a matching deleted post means. */
  match(row: ScanRow): boolean;
}

/** Compiles a validated rule, given the fields it tests (`validateRule(...).stats.fields`), into a row matcher. */
export function createRowMatcher(rule: Rule, fields: readonly RuleField[]): RowMatcher {
  const compiled = compileRule(rule);
  const columns = [...new Set(fields.map((field) => FIELD_COLUMNS[field]))];
  const needsTags = columns.includes('tags');
  return {
    columns,
    match(row) {
      if (needsTags && typeof row.tags === 'string') {
        // Rows are fresh objects from the statement: parsing the tags in place costs nothing elsewhere.
        (row as { tags: unknown }).tags = JSON.parse(row.tags) as unknown;
      }
      return compiled.match(row);
    },
  };
}
