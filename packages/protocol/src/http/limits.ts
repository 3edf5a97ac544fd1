/** Documented limits of the ByteAir API. */
export const BYTEAIR_LIMITS = {
  /** Most items one write-data call may carry. */
  writeDataMaxItems: 10_000,
  /** Per-call timeout the official SDK uses when the caller sets none, in ms. */
  defaultTimeoutMs: 1_000,
} as const;

/** Documented limits of the Content Insight API; the limits of rules are `@insight/rules`' `RULE_LIMITS`. */
export const INSIGHT_LIMITS = {
  /** Longest life of an access token, in seconds. */
  tokenLifetimeSeconds: 7_200,
  /** Asking for a token while the current one has less than this left returns a new one; both stay valid. */
  tokenRotationWindowSeconds: 1_800,
  /** Most words one sensitive-words check may carry. */
  sensitiveWordsMaxCount: 100,
  /** Longest word a sensitive-words check accepts, in characters. */
  sensitiveWordMaxLength: 10,
  /** Search `count` never exceeds this, however many posts match. */
  searchCountCap: 10_000,
  /**
   * Largest search `page_size`. Undocumented by the vendor (ours): 100 keeps one page's answer small, and the 10 000
   * results a snapshot can hold take 100 pages.
   */
  searchPageSizeMax: 100,
  /**
   * Most posts one backtrack task may retrieve; a larger `limit` answers `[40009]reached hit post count limit`, and a
   * task created without `limit` retrieves every match up to this. The vendor documents the code, not the figure
   * (ours): one million lets a task take the emulator's whole 1M-post corpus.
   */
  backtrackHitLimit: 1_000_000,
  /** A backtrack window must lie within this many days before now. */
  backtrackWindowDays: 90,
  /** A backtrack task's data can be consumed for this long after the task starts, in seconds. */
  backtrackDataExpirySeconds: 6 * 3_600,
  /** Collectors of a backtrack task, ids `"0"`…`"19"`. */
  backtrackCollectors: 20,
  /** Collectors of the realtime stream, ids `"0"`…`"9"`. */
  realtimeCollectors: 10,
  /** Most realtime subscription tasks per business (`[40005]` beyond). */
  realtimeTasksMax: 50,
  /** A realtime stream's `start_offset` may go back at most this far, in seconds. */
  realtimeReplaySeconds: 24 * 3_600,
  /** `start_offset` limit of a realtime stream with `sync_only=true`, in seconds. */
  realtimeSyncOnlyReplaySeconds: 3 * 3_600,
  /** A consumption stream sends a heartbeat comment this often, in seconds. */
  sseHeartbeatSeconds: 15,
} as const;
