/** The fields a rule may test, in the order the service documents them. */
export const RULE_FIELDS = [
  'title',
  'asr',
  'ocr',
  'tags',
  'poi_name',
  'poi_city_name',
  'based_location',
  'same_origin_origin_id',
  'same_origin_post_id',
] as const;

/** A field name a rule may test. */
export type RuleField = (typeof RULE_FIELDS)[number];

/** What a rule field holds and where it is read from a post. */
export interface RuleFieldInfo {
  /** `text` holds one string; `list` holds several (each tested on its own). */
  readonly type: 'text' | 'list';
  /** The `item_doc` properties read, first present wins. */
  readonly source: readonly string[];
  /** One line for help texts. */
  readonly description: string;
}

/** How each rule field is read from an `item_doc`. */
export const RULE_FIELD_INFO: { readonly [F in RuleField]: RuleFieldInfo } = {
  title: { type: 'text', source: ['title'], description: 'the post title' },
  asr: { type: 'text', source: ['feature.asr', 'asr'], description: 'speech recognised in the audio' },
  ocr: { type: 'text', source: ['feature.ocr', 'ocr'], description: 'text recognised in the images' },
  tags: { type: 'list', source: ['tags'], description: 'category labels (not for synchronous realtime tasks)' },
  poi_name: { type: 'text', source: ['poi_name'], description: 'the name of the tagged place' },
  poi_city_name: { type: 'text', source: ['poi_city_name'], description: 'the city of the tagged place' },
  based_location: { type: 'text', source: ['based_location'], description: 'the administrative region of the post' },
  same_origin_origin_id: { type: 'text', source: ['origin_id'], description: "the source platform's post id" },
  same_origin_post_id: { type: 'text', source: ['post_id'], description: "Insight's post id" },
};

/**
 * The part of an `item_doc` that rules read. Every property is optional and loosely typed so that any decoded post
 * (or a plain JSON object) can be passed as is.
 */
export interface RuleDocument {
  readonly title?: unknown;
  readonly tags?: unknown;
  readonly poi_name?: unknown;
  readonly poi_city_name?: unknown;
  readonly based_location?: unknown;
  readonly origin_id?: unknown;
  readonly post_id?: unknown;
  readonly asr?: unknown;
  readonly ocr?: unknown;
  readonly feature?: unknown;
}

/**
 * The value of a rule field in a post: a string for text fields, the string elements for `tags`, or `undefined` when the
 * post lacks it. Numbers (ids) are read as their decimal text; anything else counts as missing.
 */
export function fieldValue(doc: RuleDocument, field: RuleField): string | readonly string[] | undefined {
  const raw = readField(doc, field);
  if (RULE_FIELD_INFO[field].type === 'text') return asText(raw);
  return Array.isArray(raw) ? raw.filter((item): item is string => typeof item === 'string') : undefined;
}

/** The raw property a field reads (the accessor table applied, nothing converted); see {@link fieldValue}. */
export function readField(doc: RuleDocument, field: RuleField): unknown {
  switch (field) {
    case 'tags':
      return Array.isArray(doc.tags) ? doc.tags : undefined;
    case 'asr':
    case 'ocr': {
      const feature = doc.feature;
      const nested =
        typeof feature === 'object' && feature !== null ? (feature as Record<string, unknown>)[field] : undefined;
      return asText(nested) !== undefined ? nested : doc[field];
    }
    case 'same_origin_origin_id':
      return doc.origin_id;
    case 'same_origin_post_id':
      return doc.post_id;
    default:
      return doc[field];
  }
}

/** A scalar field value as text: strings as they are, numbers in decimal, anything else missing. */
export function asText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'bigint') return String(value);
  return undefined;
}

/** Whether a string names a rule field. */
export function isRuleField(name: unknown): name is RuleField {
  return typeof name === 'string' && (RULE_FIELDS as readonly string[]).includes(name);
}
