import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { INSIGHT_LIMITS } from '../http/limits.js';
import { INSIGHT_ENDPOINTS } from '../http/paths.js';
import { InsightEnvelope, InsightTime, insightResponse } from './common.js';
import {
  AccessTokenData,
  BacktrackCreateRequest,
  BacktrackTaskInfo,
  BacktrackTaskRule,
  RealtimeStreamQuery,
  SearchData,
  SearchRequest,
  SensitiveWordsCheckRequest,
  TaskIdQuery,
} from './endpoints.js';
import { ItemDoc, StreamEvent } from './item-doc.js';
import { INSIGHT_SCHEMAS } from './schemas.js';

const RULE = ['and', ['or', ['or', ['in', '测试', { f: 'title' }]]]];

/** The vendor's documented examples. */
const TASK_INFO = {
  task_status: 'running',
  task_cur_max_offset: 122999,
  collector_cur_max_offset: { '0': 4, '1': 7, '10': 4, '19': 3 },
  rule: '{"end_date":"2023-06-28","rule":["or",["in","好人",{"fl":["title","asr","ocr"]}]],"start_date":"2023-06-25"}',
  de_duplicate: true,
  limit: 100,
};

const LIVE = {
  post_id: '7301',
  origin_id: 'dy-99',
  status: 1,
  publish_time: '2026-11-20 08:00:00',
  update_time: '2026-11-20 09:00:00',
  url: 'https://example.test/v/1',
  feature: { asr: '大家好', ocr: '火山', lang: 'zh' },
  title: '火山引擎',
  tags: ['科技'],
  poi_name: '国贸',
  poi_city_name: '北京',
  author: 'someone',
  extra_field_from_a_newer_service: 1,
};

describe('Content Insight schemas', () => {
  it('accept the vendor examples', () => {
    expect(
      insightResponse(AccessTokenData).parse({
        status: 0,
        data: { access_token: 'abc', expire: 7200 },
        message: 'succeed',
      }).data.expire,
    ).toBe(7200);
    const create = {
      rule: RULE,
      start_time: '2023-06-01 00:00:00',
      end_time: '2023-06-10 00:00:00',
      de_duplicate: true,
      limit: 100,
    };
    expect(BacktrackCreateRequest.parse(create)).toEqual(create);
    expect(BacktrackTaskInfo.parse(TASK_INFO)).toEqual(TASK_INFO);
    expect(BacktrackTaskRule.parse(JSON.parse(TASK_INFO.rule)).start_date).toBe('2023-06-25');
  });

  it('name the field and the rule broken', () => {
    const base = { rule: RULE, start_time: '2023-06-10 00:00:00', end_time: '2023-06-01 00:00:00', limit: 1 };
    const issues = (value: unknown) => {
      const result = BacktrackCreateRequest.safeParse(value);
      return result.success ? [] : result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    };
    expect(issues(base)).toEqual(['end_time: end_time must be after start_time']);
    expect(issues({ ...base, end_time: '2023-06-31 00:00:00' })).toEqual([
      'end_time: invalid time "2023-06-31 00:00:00": day 31 is not 01–30 in 2023-06',
    ]);
    expect(issues({ ...base, end_time: '2023-06-11 00:00:00', rule: { and: [] } })).toEqual([
      'rule: rule must be a JSON array such as ["and", …]',
    ]);
    expect(issues({ ...base, end_time: '2023-06-11 00:00:00', limit: 0 })[0]).toMatch(/^limit: /);
  });

  it('take a backtrack without limit, as the vendor makes it optional', () => {
    const create = { rule: RULE, start_time: '2023-06-01 00:00:00', end_time: '2023-06-10 00:00:00' };
    expect(BacktrackCreateRequest.parse(create)).toEqual(create);
  });

  it('bound the search page size to 1…searchPageSizeMax', () => {
    const max = INSIGHT_LIMITS.searchPageSizeMax;
    const search = (page_size: number) =>
      SearchRequest.safeParse({
        rule: RULE,
        start_time: '2023-06-01 00:00:00',
        end_time: '2023-06-10 00:00:00',
        page_size,
        page_number: 1,
      });
    expect(search(1).success).toBe(true);
    expect(search(max).success).toBe(true);
    expect(search(max + 1).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual([
      `page_size: page_size must be at most ${max}`,
    ]);
    expect(search(0).error?.issues[0].path).toEqual(['page_size']);
  });

  it('refuse a task info whose rule string is not the documented JSON', () => {
    for (const rule of ['not json', '["and"]', '{"rule":["or"],"start_date":"soon","end_date":"2023-06-28"}']) {
      const result = BacktrackTaskInfo.safeParse({ ...TASK_INFO, rule });
      expect(result.success, rule).toBe(false);
      expect(result.error?.issues[0].path).toEqual(['rule']);
    }
  });

  it('check sensitive words by characters, not UTF-16 units', () => {
    expect(SensitiveWordsCheckRequest.safeParse({ words: ['😀😀😀😀😀😀😀😀😀😀'] }).success).toBe(true);
    expect(SensitiveWordsCheckRequest.safeParse({ words: ['12345678901'] }).success).toBe(false);
    expect(SensitiveWordsCheckRequest.safeParse({ words: [] }).success).toBe(false);
    expect(SensitiveWordsCheckRequest.safeParse({ words: Array(101).fill('a') }).success).toBe(false);
    expect(SensitiveWordsCheckRequest.safeParse({ words: Array(100).fill('a') }).success).toBe(true);
  });

  it('tell live posts from deleted ones, keeping unknown fields of live posts', () => {
    const live = ItemDoc.parse(LIVE);
    expect(live).toEqual(LIVE);
    for (const status of [0, 2]) {
      const deleted = { post_id: '7301', status, publish_time: '2026-11-20 08:00:00', origin_id: 'dy-99' };
      expect(ItemDoc.parse(deleted)).toEqual(deleted);
    }
    expect(ItemDoc.safeParse({ ...LIVE, status: 3 }).success).toBe(false);
    expect(ItemDoc.safeParse({ ...LIVE, tags: '科技' }).success).toBe(false);
    const event = { collector: '3', offset: 12, msg_id: 'm-1', item_doc: LIVE };
    expect(StreamEvent.parse(event)).toEqual(event);
    expect(StreamEvent.safeParse({ ...event, offset: -1 }).success).toBe(false);
  });

  it('cap the search count at 10000', () => {
    expect(SearchData.safeParse({ items: [LIVE], snapshot_id: 's', count: 10_000 }).success).toBe(true);
    expect(SearchData.safeParse({ items: [], snapshot_id: 's', count: 10_001 }).success).toBe(false);
  });

  it('read query strings into numbers', () => {
    expect(TaskIdQuery.parse({ task_id: '0' })).toEqual({ task_id: 0 });
    expect(TaskIdQuery.safeParse({ task_id: '' }).success).toBe(false);
    expect(TaskIdQuery.safeParse({ task_id: '-1' }).success).toBe(false);
    expect(RealtimeStreamQuery.parse({ collector: '0-4', start_offset: '1795451620' })).toEqual({
      collector: '0-4',
      start_offset: 1795451620,
    });
    expect(RealtimeStreamQuery.safeParse({ collector: 'all' }).success).toBe(false);
  });

  it('read any envelope, and only status 0 as success', () => {
    expect(InsightEnvelope.parse({ status: 40004, message: '[40004]invalid param' }).data).toBeUndefined();
    expect(insightResponse(AccessTokenData).safeParse({ status: 40001, message: '[40001]unauthorized' }).success).toBe(
      false,
    );
  });

  it('cover every endpoint', () => {
    expect(Object.keys(INSIGHT_SCHEMAS).sort()).toEqual(Object.keys(INSIGHT_ENDPOINTS).sort());
  });
});

describe('Content Insight schemas on arbitrary input', () => {
  const schemas = [
    InsightTime,
    InsightEnvelope,
    ItemDoc,
    StreamEvent,
    ...Object.values(INSIGHT_SCHEMAS).flatMap((s) => Object.values(s)),
  ];

  it('answer arbitrary JSON with a result, never an exception', () => {
    const shaped = fc.record(
      {
        rule: fc.jsonValue(),
        start_time: fc.oneof(fc.string(), fc.constant('2026-01-01 00:00:00')),
        end_time: fc.oneof(fc.string(), fc.constant('2026-02-29 00:00:00')),
        task_id: fc.jsonValue(),
        status: fc.constantFrom(0, 1, 2, 3, '1'),
        post_id: fc.jsonValue(),
        publish_time: fc.string(),
        words: fc.array(fc.string()),
        item_doc: fc.jsonValue(),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), fc.anything(), shaped), fc.nat(schemas.length - 1), (value, index) => {
        const result = schemas[index].safeParse(value);
        if (!result.success) expect(result.error.issues.length).toBeGreaterThan(0);
      }),
      { numRuns: 2000 },
    );
  });
});
