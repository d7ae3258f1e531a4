// A reporter for node's test runner that remembers every failing test and, when the run ends,
// writes where each one is, its name and the first line of what it asserted. run-tests.mjs
// prints that after the TAP stream, so a CI log ends with the failures, not only the counts.
import { relative } from 'node:path';

/** Node's reporter contract: an async generator over the run's events, as the default export (node loads it so). */
// biome-ignore lint/style/noDefaultExport: node's test runner loads a reporter from its default export.
export default async function* failureSummary(source) {
  const failures = [];
  // A file that cannot even load fails as one test whose only error is "test failed"; what
  // went wrong is on that file's stderr.
  const stderrByFile = new Map();
  let passed = 0;
  let skipped = 0;
  for await (const event of source) {
    const data = event.data;
    if (event.type === 'test:stderr' && data.file) {
      stderrByFile.set(data.file, `${stderrByFile.get(data.file) ?? ''}${data.message}`);
    } else if (event.type === 'test:pass') {
      if (data.details?.type === 'suite') continue;
      if (data.skip !== undefined || data.todo !== undefined) skipped++;
      else passed++;
    } else if (event.type === 'test:fail') {
      const error = data.details?.error;
      // A suite that failed only because a test in it failed adds nothing: that test is listed.
      if (error?.failureType === 'subtestsFailed') continue;
      failures.push(data);
    }
  }
  const lines = [];
  if (failures.length > 0) {
    lines.push('', `${failures.length} failing test(s):`);
    for (const failure of failures) {
      lines.push(...describe(failure, stderrByFile.get(failure.file)));
    }
  }
  lines.push('', `tests: ${passed} passed, ${failures.length} failed, ${skipped} skipped`, '');
  yield lines.join('\n');
}

function describe(data, stderr) {
  const where = data.file ? relative(process.cwd(), data.file) : '?';
  const error = data.details?.error;
  const cause = error?.cause ?? error;
  let message = firstLines(cause?.message ?? String(cause ?? 'failed'));
  if (message === 'test failed' && stderr) {
    const line = stderr.split('\n').find((l) => /Error|error:/.test(l));
    if (line) message = `${message}: ${firstLines(line)}`;
  }
  const frame = testFrame(cause?.stack);
  const name = data.name === data.file ? '(the file itself)' : data.name;
  return [`  ✖ ${where}  ${name}`, `      ${message}${frame ? `  (at ${frame})` : ''}`];
}

/**
 * The first lines of a message that say something: assert's "Expected …:" line says little
 * alone, and its "+ actual - expected" legend nothing; the values that follow say what differed.
 */
function firstLines(text) {
  const line = String(text)
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && l !== '+ actual - expected')
    .slice(0, 3)
    .join(' ');
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}

/** The first stack frame in a test file: the assertion that failed. */
function testFrame(stack) {
  if (typeof stack !== 'string') return undefined;
  for (const line of stack.split('\n')) {
    const match = /\(?((?:file:\/\/)?[^\s()]*\/test\/[^\s()]+:\d+):\d+\)?$/.exec(line.trim());
    if (match?.[1]) return relative(process.cwd(), match[1].replace(/^file:\/\//, ''));
  }
  return undefined;
}
