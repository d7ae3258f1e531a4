/**
 * Every code block of README.md and docs/*.md runs, so none can rot: shell blocks in bash with
 * `native-login` on PATH, JavaScript and TypeScript blocks as modules importing `native-login`
 * (the built package, dist/), all against the emulator on 127.0.0.1, in a temporary HOME that
 * holds a logged-in token file. A block that cannot run offline carries
 * `<!-- not-run: reason -->` on the line before it; those are listed, never silently skipped.
 * New pages in docs/ are picked up by themselves.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import {
  chmod,
  copyFile,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rm,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type Emulator, startEmulator } from '../../src/emulator/index.js';
import {
  baseEnv,
  MAIN,
  REPO,
  runCli,
  TEST_CLIENT_ID,
  writeBrowserScript,
} from '../cli/cli-harness.js';
import { collectOutput } from '../helpers/child-output.js';
import { type CodeBlock, codeBlocks, NOT_CODE, RUNNABLE } from './markdown-code-blocks.js';

const TRANSFER = 'urn:globus:auth:scope:transfer.api.globus.org:all';
const BLOCK_TIMEOUT_MS = 60_000;
/** tsx by URL: the blocks run in temporary folders, where a bare `tsx` would not resolve. */
const TSX = import.meta.resolve('tsx');

const pages = [
  'README.md',
  ...(await readdir(join(REPO, 'docs')))
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) => `docs/${name}`),
];
const blocks = await Promise.all(
  pages.map(async (page) => ({
    page,
    blocks: codeBlocks(await readFile(join(REPO, page), 'utf8')),
  })),
);

describe('every code block in README.md and docs/ runs against the emulator', () => {
  let emulator: Emulator;
  let work: string;
  let tokenFixture: string;
  let env: NodeJS.ProcessEnv;
  let count = 0;

  before(async () => {
    assert.ok(
      existsSync(join(REPO, 'dist/index.js')),
      'run `npm run build` first: blocks import the built package',
    );
    emulator = await startEmulator({ port: 0, autoApprove: true });
    work = await mkdtemp(join(tmpdir(), 'native-login-docs-'));
    // `native-login` on PATH, as after an install; the source entry, so no stale build is used.
    const bin = join(work, 'bin');
    await mkdir(bin);
    await writeFile(
      join(bin, 'native-login'),
      `#!/bin/sh\nexec "${process.execPath}" --import "${TSX}" "${MAIN}" "$@"\n`,
    );
    await chmod(join(bin, 'native-login'), 0o755);
    const home = join(work, 'fixture-home');
    await mkdir(home);
    env = baseEnv(home, {
      PATH: `${bin}:${process.env['PATH'] ?? '/usr/bin:/bin'}`,
      GLOBUS_SDK_SERVICE_URL_AUTH: emulator.url,
      NATIVE_LOGIN_CLIENT_ID: TEST_CLIENT_ID,
      BROWSER: await writeBrowserScript(work),
    });
    // One login, copied into every block's HOME: the blocks find a logged-in person.
    const login = await runCli(['login', '--refresh-tokens', '-s', TRANSFER], env);
    assert.equal(login.code, 0, login.stderr);
    tokenFixture = join(home, '.globus-native-apps.cfg');
  });

  after(async () => {
    await emulator.close();
    await rm(work, { recursive: true, force: true });
  });

  /** A fresh folder (also HOME) with the token file and `native-login` resolvable by import. */
  async function workspace(): Promise<string> {
    count += 1;
    const dir = join(work, `block-${count}`);
    await mkdir(join(dir, 'node_modules'), { recursive: true });
    await symlink(REPO, join(dir, 'node_modules', 'native-login'), 'dir');
    await copyFile(tokenFixture, join(dir, '.globus-native-apps.cfg'));
    // ES modules, as the blocks are written (top-level await, import).
    await writeFile(join(dir, 'package.json'), '{ "type": "module" }\n');
    return dir;
  }

  for (const { page, blocks: found } of blocks) {
    for (const block of found) {
      const name = `${page}:${block.line} (${block.lang || 'plain'})`;
      if (!RUNNABLE.has(block.lang)) {
        test(`${name} is not a program`, () => {
          assert.ok(
            NOT_CODE.has(block.lang),
            `${name}: unknown language; make it runnable or one of ${[...NOT_CODE].join(', ')}`,
          );
        });
        continue;
      }
      if (block.notRun !== undefined) {
        test(`${name} is not run: ${block.notRun}`, (t) => {
          assert.ok(block.notRun && block.notRun.length >= 10, `${name}: say why it is not run`);
          t.diagnostic(`not run: ${name}: ${block.notRun}`);
        });
        continue;
      }
      test(`${name} runs`, { timeout: BLOCK_TIMEOUT_MS + 5000 }, async () => {
        const dir = await workspace();
        const result = await runBlock(block, dir, { ...env, HOME: dir });
        assert.equal(
          result.code,
          0,
          `${name} failed (exit ${result.code}):\n${block.code}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`,
        );
      });
    }
  }

  test('docs/index.md links every page in docs/', async () => {
    const index = await readFile(join(REPO, 'docs/index.md'), 'utf8');
    const names = (await readdir(join(REPO, 'docs'))).filter(
      (n) => n.endsWith('.md') && n !== 'index.md',
    );
    for (const name of names)
      assert.ok(index.includes(`](${name})`), `docs/index.md does not link ${name}`);
  });

  test('every relative link in README.md and docs/ points to a file that exists', async () => {
    for (const page of pages) {
      const text = await readFile(join(REPO, page), 'utf8');
      for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (target === undefined || /^(https?:|mailto:|#)/.test(target)) continue;
        const path = join(REPO, dirname(page), target.replace(/#.*$/, ''));
        assert.ok(existsSync(path), `${page} links ${target}, which does not exist`);
      }
    }
  });

  test('the README stays short: at most 300 lines', async () => {
    const lines = (await readFile(join(REPO, 'README.md'), 'utf8')).trimEnd().split('\n');
    assert.ok(lines.length <= 300, `README.md has ${lines.length} lines`);
  });
});

/** Runs one block in `dir`; its whole process group is ended afterwards (background jobs too). */
async function runBlock(
  block: CodeBlock,
  dir: string,
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  let command: string[];
  if (block.lang === 'sh' || block.lang === 'bash') {
    await writeFile(join(dir, 'block.sh'), block.code);
    command = ['bash', '-e', '-o', 'pipefail', 'block.sh'];
  } else {
    const file = block.lang === 'ts' ? 'block.ts' : 'block.mjs';
    await writeFile(join(dir, file), block.code);
    command =
      block.lang === 'ts' ? [process.execPath, '--import', TSX, file] : [process.execPath, file];
  }
  const child = spawn(command[0] as string, command.slice(1), {
    cwd: dir,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out = collectOutput(child);
  const timer = setTimeout(() => killGroup(child.pid), BLOCK_TIMEOUT_MS);
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (exitCode) => resolve(exitCode));
  });
  clearTimeout(timer);
  killGroup(child.pid);
  return { code, ...out };
}

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGTERM');
  } catch {
    // The group has already ended.
  }
}
