import { formatInsightTime, ItemDoc, type LiveItemDoc, parseInsightTime } from '@insight/protocol';
import { POST_STATUS, type InsightPost } from './post.js';

/** A post as search and query by id read it: its status and its stored `item_doc` text. */
export interface StoredDoc {
  /** Row sequence of the post. */
  seq: number;
  status: number;
  /** The `item_doc` JSON without delivery times, from {@link storedDocText}. */
  doc: string;
}

/**
 * The `item_doc` of a post as stored, without the times that depend on the delivery. A deleted or withheld post
 * carries only the four fields the service documents for it: `post_id`, `status`, `publish_time`, `origin_id`.
 */
export function storedDocText(post: InsightPost): string {
  const publishTime = formatInsightTime(post.publishTime);
  if (post.status !== POST_STATUS.public) {
    return JSON.stringify({
      post_id: post.postId,
      status: post.status,
      publish_time: publishTime,
      origin_id: post.originId,
    });
  }
  const doc: Record<string, unknown> = {
    post_id: post.postId,
    origin_id: post.originId,
    status: post.status,
    publish_time: publishTime,
    create_time: formatInsightTime(post.createTime),
    first_public_time: publishTime,
    update_time: formatInsightTime(post.updateTime),
  };
  if (post.mainDomain !== undefined) doc.main_domain = post.mainDomain;
  if (post.domain !== undefined) doc.domain = post.domain;
  if (post.url !== undefined) doc.url = post.url;
  if (post.anchor !== undefined) doc.anchor = post.anchor;
  if (post.author !== undefined) doc.author = post.author;
  if (post.title !== undefined) doc.title = post.title;
  if (post.tags !== undefined) doc.tags = post.tags;
  if (post.poiName !== undefined) doc.poi_name = post.poiName;
  if (post.poiCityName !== undefined) doc.poi_city_name = post.poiCityName;
  if (post.basedLocation !== undefined) doc.based_location = post.basedLocation;
  const feature: Record<string, string> = {};
  if (post.asr !== undefined) feature.asr = post.asr;
  if (post.ocr !== undefined) feature.ocr = post.ocr;
  doc.feature = feature;
  return JSON.stringify(doc);
}

/** The `item_doc` of a search result or a query by id: delivery times are the post's creation and now. */
export function answerDoc(stored: StoredDoc, consumeTime: string): Record<string, unknown> {
  const doc = JSON.parse(stored.doc) as Record<string, unknown>;
  if (stored.status === POST_STATUS.public) {
    doc.push_ready_time = doc.create_time;
    doc.consume_time = consumeTime;
  }
  return doc;
}

/**
 * Reads a post from an `item_doc` (a user's own post to import). Times default to `publish_time`. A deleted post may
 * keep its texts: rules still meet it (as a gap in backtrack offsets) though it is only ever served as a stub.
 *
 * @throws TypeError naming the field and the rule broken.
 */
export function fromItemDoc(input: unknown, where: string): InsightPost {
  const parsed = ItemDoc.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new TypeError(`${where}.${issue.path.join('.')}: ${issue.message}`);
  }
  const doc = parsed.data;
  const publishTime = parseInsightTime(doc.publish_time);
  const post: InsightPost = {
    postId: doc.post_id,
    originId: doc.origin_id,
    status: doc.status,
    publishTime,
    createTime: publishTime,
    updateTime: publishTime,
  };
  const live = doc as typeof doc & Partial<LiveItemDoc>;
  if (live.create_time !== undefined) post.createTime = parseInsightTime(live.create_time);
  if (live.update_time !== undefined) post.updateTime = parseInsightTime(live.update_time);
  if (live.title !== undefined) post.title = live.title;
  if (live.feature?.asr !== undefined) post.asr = live.feature.asr;
  if (live.feature?.ocr !== undefined) post.ocr = live.feature.ocr;
  if (live.tags !== undefined) post.tags = live.tags;
  if (live.poi_name !== undefined) post.poiName = live.poi_name;
  if (live.poi_city_name !== undefined) post.poiCityName = live.poi_city_name;
  if (live.based_location !== undefined) post.basedLocation = live.based_location;
  if (live.author !== undefined) post.author = live.author;
  if (live.anchor !== undefined) post.anchor = live.anchor;
  if (live.url !== undefined) post.url = live.url;
  if (live.domain !== undefined) post.domain = live.domain;
  if (live.main_domain !== undefined) post.mainDomain = live.main_domain;
  return post;
}

/**
 * Reads JSON Lines of `item_doc`s (blank lines skipped).
 *
 * @throws TypeError naming the line and the field.
 */
export function parseItemDocLines(text: string): InsightPost[] {
  const posts: InsightPost[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      throw new TypeError(`line ${i + 1}: not JSON: ${(error as Error).message}`);
    }
    posts.push(fromItemDoc(value, `line ${i + 1}`));
  }
  return posts;
}
