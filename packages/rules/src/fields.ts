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
  /** The top-level `item_doc` property holding the field. */
  readonly property: string;
  /** Whether the field is also read from `feature.<property>`, which wins when it holds text. */
  readonly inFeature: boolean;
  /** One line for help texts. */
  readonly description: string;
}

/** How each rule field is read from an `item_doc`. */
export const RULE_FIELD_INFO = {
  title: { type: 'text', property: 'title', inFeature: false, description: 'the post title' },
  asr: { type: 'text', property: 'asr', inFeature: true, description: 'speech recognised in the audio' },
  ocr: { type: 'text', property: 'ocr', inFeature: true, description: 'text recognised in the images' },
  tags: {
    type: 'list',
    property: 'tags',
    inFeature: false,
    description: 'category labels (not for synchronous realtime tasks)',
  },
  poi_name: { type: 'text', property: 'poi_name', inFeature: false, description: 'the name of the tagged place' },
  poi_city_name: {
    type: 'text',
    property: 'poi_city_name',
    inFeature: false,
    description: 'the city of the tagged place',
  },
  based_location: {
    type: 'text',
    property: 'based_location',
    inFeature: false,
    description: 'the administrative region of the post',
  },
  same_origin_origin_id: {
    type: 'text',
    property: 'origin_id',
    inFeature: false,
    description: "the source platform's post id",
  },
  same_origin_post_id: { type: 'text', property: 'post_id', inFeature: false, description: "Insight's post id" },
} as const satisfies { readonly [F in RuleField]: RuleFieldInfo };

/** A top-level `item_doc` property that holds a rule field (`origin_id` for `same_origin_origin_id`). */
export type RuleFieldProperty = (typeof RULE_FIELD_INFO)[RuleField]['property'];

/**
 * The part of an `item_doc` that rules read. Every property is optional and loosely typed so that any decoded post
 * (or a plain JSON object) can be passed as is.
 */
export interface RuleDocument extends Readonly<Partial<Record<RuleFieldProperty, unknown>>> {
  /** Recognised text, `{asr, ocr}`, as the service nests it. */
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

/** The raw property a field reads ({@link RULE_FIELD_INFO} applied, nothing converted); see {@link fieldValue}. */
export function readField(doc: RuleDocument, field: RuleField): unknown {
  const info = RULE_FIELD_INFO[field];
  const raw = doc[info.property];
  if (info.type === 'list') return Array.isArray(raw) ? raw : undefined;
  if (info.inFeature) {
    const feature = doc.feature;
    const nested =
      typeof feature === 'object' && feature !== null ? (feature as Record<string, unknown>)[info.property] : undefined;
    if (asText(nested) !== undefined) return nested;
  }
  return raw;
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
