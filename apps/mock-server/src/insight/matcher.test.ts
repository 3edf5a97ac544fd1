import { formatInsightTime } from '@insight/protocol';
import { compileRule, RULE_FIELD_INFO, RULE_FIELDS, type Rule, type RuleField } from '@insight/rules';
import { describe, expect, it } from 'vitest';
import { createStore } from '../store/store.js';
import { fromItemDoc } from './item-doc.js';
import { createRowMatcher } from './matcher.js';
import { createPostStore, scanStart } from './post-store.js';
import { ruleDocument } from './realtime.js';
import { INSIGHT_MIGRATIONS } from './schema.js';

const PUBLISHED = Date.UTC(2025, 5, 1);

/** A post holding a distinct value in every field rules read, as the service delivers it. */
const ITEM_DOC = {
  post_id: 'post-1',
  origin_id: 'origin-1',
  status: 1,
  publish_time: formatInsightTime(PUBLISHED),
  title: 'title-1',
  tags: ['tag-1', 'tag-2'],
  poi_name: 'poi-1',
  poi_city_name: 'city-1',
  based_location: 'region-1',
  feature: { asr: 'asr-1', ocr: 'ocr-1' },
};

/** A value each field holds in {@link ITEM_DOC}. */
const VALUES: { readonly [F in RuleField]: string } = {
  title: 'title-1',
  asr: 'asr-1',
  ocr: 'ocr-1',
  tags: 'tag-2',
  poi_name: 'poi-1',
  poi_city_name: 'city-1',
  based_location: 'region-1',
  same_origin_origin_id: 'origin-1',
  same_origin_post_id: 'post-1',
};

/** A rule testing only `field`, for `value`. */
function ruleOn(field: RuleField, value: string): Rule {
  return RULE_FIELD_INFO[field].type === 'list'
    ? ['list_intersect', { f: field }, [value]]
    : ['in_list', { f: field }, [value]];
}

describe('rule fields in the emulator', () => {
  const store = createStore(':memory:');
  store.migrate('insight', INSIGHT_MIGRATIONS);
  const posts = createPostStore(store.db);
  const post = fromItemDoc(ITEM_DOC, 'post');
  posts.upsert([post]);

  it.each(RULE_FIELDS)('%s is read by a backtrack scan and a realtime publish as from the item_doc', (field) => {
    for (const other of RULE_FIELDS) {
      const rule = ruleOn(field, VALUES[other]);
      const compiled = compileRule(rule);
      expect(compiled.match(ITEM_DOC)).toBe(field === other);
      const matcher = createRowMatcher(rule, [field]);
      const [row] = posts.scan(PUBLISHED, scanStart(PUBLISHED), 1, matcher.columns);
      expect(matcher.match(row!)).toBe(field === other);
      expect(compiled.match(ruleDocument(post))).toBe(field === other);
    }
  });
});
