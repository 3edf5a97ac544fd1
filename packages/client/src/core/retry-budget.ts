/** Token-bucket settings of a {@link RetryBudget}. */
export interface RetryBudgetOptions {
  /** Tokens in a full bucket (the bucket starts full). @default 500 */
  capacity?: number;
  /** Tokens a retry after an ordinary failure costs. @default 5 */
  retryCost?: number;
  /** Tokens a retry after a timeout costs: timeouts hint at an overloaded service, so they drain faster. @default 10 */
  timeoutCost?: number;
  /** Tokens a call that succeeds at its first attempt adds back. @default 1 */
  successRefill?: number;
}

/**
 * A client-wide allowance of retries, so that an outage does not turn into a retry storm: every retry spends tokens,
 * a call that succeeds after retrying gives back what it spent, and a first-attempt success adds a little. When the
 * bucket runs dry, failures surface at once instead of being retried.
 */
export interface RetryBudget {
  /** Tokens left. */
  readonly available: number;
  /** Spends the cost of one retry; `false` (and nothing spent) when the bucket cannot afford it. */
  tryAcquire(afterTimeout: boolean): number | false;
  /** Records a successful call that spent `spent` tokens on its retries. */
  recordSuccess(spent: number): void;
}

/** Default size of a retry budget, in tokens. */
export const DEFAULT_RETRY_BUDGET_CAPACITY = 500;

/** Creates a retry budget (the AWS SDKs' "standard" retry quota). Share one between clients to pool their budgets. */
export function createRetryBudget(options: RetryBudgetOptions = {}): RetryBudget {
  const capacity = options.capacity ?? DEFAULT_RETRY_BUDGET_CAPACITY;
  const retryCost = options.retryCost ?? 5;
  const timeoutCost = options.timeoutCost ?? 10;
  const successRefill = options.successRefill ?? 1;
  let available = capacity;
  return {
    get available() {
      return available;
    },
    tryAcquire(afterTimeout) {
      const cost = afterTimeout ? timeoutCost : retryCost;
      if (cost > available) return false;
      available -= cost;
      return cost;
    },
    recordSuccess(spent) {
      available = Math.min(capacity, available + (spent > 0 ? spent : successRefill));
    },
  };
}
