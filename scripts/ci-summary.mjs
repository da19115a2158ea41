// Prints vitest's totals as the plain closing line CI reads ("N passed, N failed, N skipped"),
// and names every skipped test so that a skip is never silent.
import { readFileSync } from 'node:fs';

const report = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const skipped = [];
for (const file of report.testResults ?? []) {
  for (const test of file.assertionResults ?? []) {
    if (test.status === 'skipped' || test.status === 'pending' || test.status === 'todo') {
      skipped.push(`${file.name.replace(process.cwd() + '/', '')}: ${test.fullName}`);
    }
  }
}
if (skipped.length > 0) {
  console.log(`skipped (${skipped.length}):`);
  for (const line of skipped) console.log(`  - ${line}`);
}
console.log(`${report.numPassedTests} passed, ${report.numFailedTests} failed, ${report.numPendingTests + (report.numTodoTests ?? 0)} skipped`);
