import { z } from 'zod';
import { InsightTime } from './common.js';

/** Recognised text of a post: `asr` (speech), `ocr` (images), and whatever else the service adds. */
export const ItemFeature = z.looseObject({ asr: z.string().optional(), ocr: z.string().optional() });
/** Recognised text of a post. */
export type ItemFeature = z.infer<typeof ItemFeature>;

/**
 * A public post (status 1: new or updated). Fields beyond the documented ones are kept, so that a newer service does
 * not break older clients. `title`, `tags`, `poi_name`, `poi_city_name` and `author` complete what rules match on.
 */
export const LiveItemDoc = z.looseObject({
  post_id: z.string().min(1),
  origin_id: z.string(),
  status: z.literal(1),
  publish_time: InsightTime,
  create_time: InsightTime.optional(),
  first_public_time: InsightTime.optional(),
  push_ready_time: InsightTime.optional(),
  consume_time: InsightTime.optional(),
  update_time: InsightTime.optional(),
  main_domain: z.string().optional(),
  domain: z.string().optional(),
  url: z.string().optional(),
  anchor: z.string().optional(),
  based_location: z.string().optional(),
  feature: ItemFeature.optional(),
  title: z.string().optional(),
  tags: z.array(z.string()).optional(),
  poi_name: z.string().optional(),
  poi_city_name: z.string().optional(),
  author: z.string().optional(),
});
/** A public post. */
export type LiveItemDoc = z.infer<typeof LiveItemDoc>;

/** A deleted post: status 0 (deleted, not public) or 2 (deleted for legal reasons); it carries only these fields. */
export const DeletedItemDoc = z.looseObject({
  post_id: z.string().min(1),
  origin_id: z.string(),
  status: z.union([z.literal(0), z.literal(2)]),
  publish_time: InsightTime,
});
/** A deleted post. */
export type DeletedItemDoc = z.infer<typeof DeletedItemDoc>;

/** A post as Content Insight delivers it, told apart by `status`. */
export const ItemDoc = z.discriminatedUnion('status', [LiveItemDoc, DeletedItemDoc]);
/** A post as Content Insight delivers it. */
export type ItemDoc = z.infer<typeof ItemDoc>;

/** The `data:` payload of one consumption-stream event. */
export const StreamEvent = z.object({
  /** Collector id, `"0"`…`"19"`. */
  collector: z.string().regex(/^\d+$/, 'collector must be a collector id such as "3"'),
  /** Position in the collector; consecutive in retrieval order, with gaps for withheld posts. */
  offset: z.number().int().nonnegative(),
  msg_id: z.string(),
  item_doc: ItemDoc,
});
/** The `data:` payload of one consumption-stream event. */
export type StreamEvent = z.infer<typeof StreamEvent>;
