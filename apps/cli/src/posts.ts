/**
 * The post inside a line of posts: an `item_doc` itself, or an envelope holding one (`{msg_id, item_doc}` as the
 * service sends, or `{collector, offset, item_doc}` as `insight backtrack consume` writes).
 */
export function postOf(value: unknown): Record<string, unknown> | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const doc = (value as { item_doc?: unknown }).item_doc;
  if (typeof doc === 'object' && doc !== null && !Array.isArray(doc)) return doc as Record<string, unknown>;
  return value as Record<string, unknown>;
}
