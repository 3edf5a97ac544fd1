import { z } from 'zod';
import { compileMatcher } from './glob.js';

/** Longest latency a fault rule may inject, in ms. */
export const MAX_FAULT_LATENCY_MS = 600_000;

/** A fault rule as callers post it to `/_insight/faults`. */
export const faultRuleInputSchema = z
  .strictObject({
    /** Glob or `^regex` over `"METHOD /path"` (see `compileMatcher`). */
    route: z.string().min(1),
    /** Chance that a matching request is affected, drawn from the seeded generator. */
    probability: z.number().min(0).max(1).default(1),
    /** How many requests the rule affects before it is spent; unlimited when absent. */
    times: z.number().int().positive().optional(),
    /** Answer with this HTTP status (200–599) instead of (or, with `after`, in place of) the handler's answer. */
    status: z.number().int().min(200).max(599).optional(),
    /** Service-level code of the error body; the status when absent. */
    code: z.number().int().optional(),
    /** Message of the error body. */
    message: z.string().optional(),
    /** Delay before answering, in ms. */
    latencyMs: z.number().int().min(0).max(MAX_FAULT_LATENCY_MS).optional(),
    /** Destroy the connection without an answer. */
    dropConnection: z.boolean().default(false),
    /** Act after the handler ran (its writes are applied, its answer is lost or replaced), not before. */
    after: z.boolean().default(false),
  })
  .refine((rule) => rule.status !== undefined || rule.dropConnection || rule.latencyMs !== undefined, {
    message: 'a fault rule needs at least one of status, dropConnection, latencyMs',
  })
  .refine((rule) => !(rule.status !== undefined && rule.dropConnection), {
    message: 'status and dropConnection exclude each other',
  });

/** A fault rule as posted. */
export type FaultRuleInput = z.input<typeof faultRuleInputSchema>;

/** A registered fault rule. */
export type FaultRule = z.output<typeof faultRuleInputSchema> & {
  id: string;
  /** Requests the rule acted on so far. */
  hits: number;
};

/** The fault rules of a server, first match wins. */
export interface FaultSet {
  /** Validates and appends a rule. @throws ZodError, or SyntaxError for a bad `route` regex. */
  add(input: unknown): FaultRule;
  list(): FaultRule[];
  /** @returns false when no rule has this id. */
  remove(id: string): boolean;
  clear(): void;
  /**
   * The rule that acts on this request, if any: the first unspent rule whose route matches decides, and fires with its
   * probability (a miss does not fall through to later rules).
   */
  pick(method: string, path: string, random: () => number): FaultRule | undefined;
}

/** Creates an empty {@link FaultSet}. */
export function createFaultSet(): FaultSet {
  let rules: { rule: FaultRule; matches: (target: string) => boolean }[] = [];
  let nextId = 1;
  return {
    add(input) {
      const parsed = faultRuleInputSchema.parse(input);
      const matches = compileMatcher(parsed.route);
      const rule: FaultRule = { id: `fault-${nextId++}`, hits: 0, ...parsed };
      rules.push({ rule, matches });
      return rule;
    },
    list: () => rules.map((r) => ({ ...r.rule })),
    remove(id) {
      const before = rules.length;
      rules = rules.filter((r) => r.rule.id !== id);
      return rules.length !== before;
    },
    clear() {
      rules = [];
    },
    pick(method, path, random) {
      const target = `${method} ${path}`;
      const entry = rules.find((r) => (r.rule.times === undefined || r.rule.hits < r.rule.times) && r.matches(target));
      if (!entry || (entry.rule.probability < 1 && random() >= entry.rule.probability)) return undefined;
      entry.rule.hits++;
      return entry.rule;
    },
  };
}
