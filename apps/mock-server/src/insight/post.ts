/** A post as the emulator stores it: times in epoch milliseconds, texts as plain strings. */
export interface InsightPost {
  /** Insight's unique id of the post. */
  postId: string;
  /** The source platform's id of the post. */
  originId: string;
  /** 0 deleted (not public), 1 new or updated (public), 2 deleted for legal reasons. */
  status: 0 | 1 | 2;
  /** Publication time, epoch ms. */
  publishTime: number;
  /** When Insight first indexed the post, epoch ms (never after `publishTime` + a few minutes). */
  createTime: number;
  /** Last change of the post, epoch ms. */
  updateTime: number;
  title?: string;
  asr?: string;
  ocr?: string;
  tags?: string[];
  poiName?: string;
  poiCityName?: string;
  basedLocation?: string;
  author?: string;
  anchor?: string;
  url?: string;
  domain?: string;
  mainDomain?: string;
}

/** Post statuses: only public posts are matched, searched and delivered with their content. */
export const POST_STATUS = {
  /** Deleted by its author, not public. */
  deleted: 0,
  /** New or updated, public. */
  public: 1,
  /** Deleted or withheld for legal reasons. */
  withheld: 2,
} as const;
