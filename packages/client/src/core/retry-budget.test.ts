import { describe, expect, it } from 'vitest';
import { createRetryBudget } from './retry-budget.js';

describe('createRetryBudget', () => {
  it('charges retries, more for timeouts, and refuses what it cannot afford', () => {
    const budget = createRetryBudget({ capacity: 20, retryCost: 5, timeoutCost: 10 });
    expect(budget.tryAcquire(false)).toBe(5);
    expect(budget.tryAcquire(true)).toBe(10);
    expect(budget.available).toBe(5);
    expect(budget.tryAcquire(true)).toBe(false);
    expect(budget.available).toBe(5);
    expect(budget.tryAcquire(false)).toBe(5);
    expect(budget.tryAcquire(false)).toBe(false);
  });

  it('refunds a retried success in full, a first-attempt success a little, never above capacity', () => {
    const budget = createRetryBudget({ capacity: 20, retryCost: 5, successRefill: 1 });
    budget.tryAcquire(false);
    budget.tryAcquire(false);
    budget.recordSuccess(10);
    expect(budget.available).toBe(20);
    budget.tryAcquire(false);
    budget.recordSuccess(0);
    expect(budget.available).toBe(16);
    for (let i = 0; i < 10; i++) budget.recordSuccess(0);
    expect(budget.available).toBe(20);
  });
});
