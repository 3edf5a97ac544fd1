import type { RuleField } from './fields.js';

/** The task kinds whose limits differ: backtrack, asynchronous realtime, synchronous realtime (`sync_mode`). */
export type RuleKind = 'backtrack' | 'realtime' | 'realtime-sync';

/** Where a condition looks: `{"f": name}` for one field, `{"fl": [names]}` for any of several. */
export type FieldRef = { readonly f: RuleField } | { readonly fl: readonly [RuleField, ...RuleField[]] };

/** `["in", keyword, FIELD]`: the keyword occurs in the field's text (for `tags`, in any tag). */
export type InNode = readonly ['in', string, FieldRef];

/** `["in_list", FIELD, [values]]`: the field's value equals one of the values. */
export type InListNode = readonly ['in_list', FieldRef, readonly [string, ...string[]]];

/** `["list_intersect", FIELD, [values]]`: the field (a list such as `tags`) shares a value with the list. */
export type ListIntersectNode = readonly ['list_intersect', FieldRef, readonly [string, ...string[]]];

/** `["and", child, …]`: every child matches. */
export type AndNode = readonly ['and', RuleNode, ...RuleNode[]];

/** `["or", child, …]`: at least one child matches. */
export type OrNode = readonly ['or', RuleNode, ...RuleNode[]];

/** A condition on one post: a keyword or a list of values. */
export type LeafNode = InNode | InListNode | ListIntersectNode;

/** A logic node combining conditions. */
export type LogicNode = AndNode | OrNode;

/** Any node of a rule tree. */
export type RuleNode = LogicNode | LeafNode;

/** A whole rule: its root node. */
export type Rule = RuleNode;

/** Whether a node combines children (`and`, `or`) rather than testing the post. */
export function isLogicNode(node: RuleNode): node is LogicNode {
  return node[0] === 'and' || node[0] === 'or';
}

/** The fields a field reference names, in order. */
export function fieldsOf(ref: FieldRef): readonly RuleField[] {
  return 'f' in ref ? [ref.f] : ref.fl;
}
