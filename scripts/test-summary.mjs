#!/usr/bin/env node
// Prints the one-line result of a test run from vitest's machine-readable report: `N passed, N failed[, N skipped]`.
import { existsSync, readFileSync } from 'node:fs';

const file = process.argv[2] ?? 'reports/test-results.json';
if (!existsSync(file)) {
  console.error(`no test report at ${file}: the test run did not complete`);
  console.log('0 passed, 0 failed');
  process.exit(1);
}
const report = JSON.parse(readFileSync(file, 'utf8'));
const passed = report.numPassedTests ?? 0;
// A file that fails to load counts as a failure even though it ran no test.
const failedSuites = (report.testResults ?? []).filter(
  (s) => s.status === 'failed' && s.assertionResults?.length === 0,
);
const failed = (report.numFailedTests ?? 0) + failedSuites.length;
const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
