/**
 * The CLI's stdout/stderr (src/cli/direct-stream.ts) against real descriptors: a temp file,
 * and a child process whose reader went away. The stream Node would build is stood in for
 * by a real file stream, so the order of output across the switch is seen on disk.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  closeSync,
  createWriteStream,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { directStream } from '../../src/cli/direct-stream.js';
import { REPO } from './cli-harness.js';

describe('directStream', () => {
  const dir = mkdtempSync(join(tmpdir(), 'native-login-direct-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('writes go to the descriptor, and the real stream is never built for them', () => {
    const file = join(dir, 'plain');
    const fd = openSync(file, 'w');
    try {
      const stream = directStream(fd, () => assert.fail('the real stream was built'));
      assert.equal(stream.write('token\n'), true);
      stream.write(Buffer.from('é bytes\n'));
      stream.write('6869', 'hex');
    } finally {
      closeSync(fd);
    }
    assert.equal(readFileSync(file, 'utf8'), 'token\né bytes\nhi');
  });

  test('asking for more than write builds the real stream once, and later writes keep order', async () => {
    const file = join(dir, 'switch');
    const fd = openSync(file, 'w');
    let built = 0;
    let realWrites = 0;
    const real = createWriteStream('', { fd, autoClose: false }) as unknown as NodeJS.WriteStream;
    const realWrite = real.write.bind(real) as (...args: unknown[]) => boolean;
    real.write = ((...args: unknown[]) => {
      realWrites += 1;
      return realWrite(...args);
    }) as typeof real.write;
    const stream = directStream(fd, () => {
      built += 1;
      return real;
    });
    stream.write('one\n');
    assert.equal(stream.isTTY, undefined); // a file is no terminal: the real stream says so
    assert.equal(built, 1);
    stream.write('two\n');
    await new Promise<void>((resolve) => stream.write('three\n', () => resolve()));
    assert.equal(built, 1);
    assert.equal(realWrites, 2); // once built, the real stream takes every write
    closeSync(fd);
    assert.equal(readFileSync(file, 'utf8'), 'one\ntwo\nthree\n');
  });

  test('a callback given to a direct write is called', async () => {
    const fd = openSync(join(dir, 'callback'), 'w');
    try {
      const stream = directStream(fd, () => assert.fail('built'));
      await new Promise<void>((resolve) => stream.write('x', () => resolve()));
    } finally {
      closeSync(fd);
    }
  });

  test('a reader that went away ends the output quietly (EPIPE), without a crash', () => {
    // The child writes one byte, waits until its reader is gone (head -c1 exits), writes on.
    const child = join(dir, 'epipe-child.ts');
    writeFileSync(
      child,
      `import { directStream } from ${JSON.stringify(join(REPO, 'src/cli/direct-stream.ts'))};
const out = directStream(1, () => process.stdout);
out.write('a');
setTimeout(() => {
  for (let i = 0; i < 100; i++) out.write('more output\\n');
  process.stderr.write('done');
}, 300);
`,
    );
    const result = spawnSync(
      '/bin/sh',
      ['-c', '"$0" --import tsx "$1" | head -c1 >/dev/null', process.execPath, child],
      { cwd: REPO, encoding: 'utf8' },
    );
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stderr, 'done');
  });
});
