#!/usr/bin/env node
/** Placeholder until the CLI lands. */
console.log('insight: not yet implemented');
