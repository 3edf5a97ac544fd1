import { describe, expect, it } from 'vitest';
import { fieldValue, RULE_FIELD_INFO, RULE_FIELDS } from './fields.js';

describe('fieldValue', () => {
  const doc = {
    post_id: 'p1',
    origin_id: 7001,
    title: '标题',
    tags: ['美食', 3, '旅行'],
    poi_name: '故宫',
    poi_city_name: '北京',
    based_location: '北京市',
    feature: { asr: '语音', ocr: '' },
    ocr: '顶层文字',
    author: '作者',
  };

  it('reads every rule field from where the post keeps it', () => {
    expect(Object.fromEntries(RULE_FIELDS.map((field) => [field, fieldValue(doc, field)]))).toEqual({
      title: '标题',
      asr: '语音',
      ocr: '',
      tags: ['美食', '旅行'],
      poi_name: '故宫',
      poi_city_name: '北京',
      based_location: '北京市',
      same_origin_origin_id: '7001',
      same_origin_post_id: 'p1',
    });
  });

  it('falls back to top-level asr and ocr, and treats other shapes as missing', () => {
    expect(fieldValue({ ocr: '顶层' }, 'ocr')).toBe('顶层');
    expect(fieldValue({ feature: { ocr: 1 }, ocr: '顶层' }, 'ocr')).toBe('1');
    expect(fieldValue({ title: { text: 'x' } }, 'title')).toBeUndefined();
    expect(fieldValue({ tags: '美食' }, 'tags')).toBeUndefined();
    expect(fieldValue({ title: Number.NaN }, 'title')).toBeUndefined();
  });

  it('reads each field from the item_doc property RULE_FIELD_INFO names, and from feature where it says so', () => {
    for (const field of RULE_FIELDS) {
      const { type, property, inFeature } = RULE_FIELD_INFO[field];
      const expected = type === 'list' ? ['v'] : 'v';
      expect(fieldValue({ [property]: type === 'list' ? ['v'] : 'v' }, field)).toEqual(expected);
      expect(fieldValue({ feature: { [property]: 'f' }, [property]: expected }, field)).toEqual(
        inFeature ? 'f' : expected,
      );
    }
  });
});
