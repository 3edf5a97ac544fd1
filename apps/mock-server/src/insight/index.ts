export { createInsightModule, INSIGHT_MODULE } from './module.js';
export {
  DEFAULT_CORPUS_SIZE,
  DEFAULT_FIREHOSE_RATE,
  DEFAULT_INSIGHT_ACCOUNT,
  DEFAULT_SENSITIVE_WORDS,
  type InsightModuleOptions,
} from './options.js';
export { type CorpusOptions, generateCorpus } from './corpus.js';
export type { InsightPost } from './post.js';
export { parseItemDocLines } from './item-doc.js';
