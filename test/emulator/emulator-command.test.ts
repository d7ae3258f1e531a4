import { strict as assert } from 'node:assert';
import { type ChildProcess, spawn } from 'node:child_process';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, test } from 'node:test';
import { runEmulatorCommand } from '../../src/cli/commands/emulator.js';
import { authorizeParams, pkce } from './emulator-test-helpers.js';

const LAUNCHER = path.resolve(process.cwd(), 'test/emulator/launch-emulator-command.ts');

interface Running {
  child: ChildProcess;
  url: string;
  stdout: () => string;
  stderr: () => string;
  exit: Promise<number | null>;
}

/** Start the command as a child and wait for its URL line. */
async function launch(args: string[]): Promise<Running> {
  const child = spawn(process.execPath, ['--import', 'tsx', LAUNCHER, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr?.on('data', (chunk) => {
    err += chunk;
  });
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout?.on('data', (chunk) => {
      out += chunk;
      if (out.includes('\n')) resolve(out.split('\n')[0] ?? '');
    });
    void exit.then(() => reject(new Error(`exited early: ${err}`)));
  });
  return { child, url, stdout: () => out, stderr: () => err, exit };
}

function memoryIo(signal?: AbortSignal) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c) => {
    out += c;
  });
  stderr.on('data', (c) => {
    err += c;
  });
  return {
    io: { stdout, stderr, env: {}, ...(signal ? { signal } : {}) },
    out: () => out,
    err: () => err,
  };
}

describe('native-login emulator (child process)', () => {
  test('prints only its URL on stdout, serves, and exits 0 on SIGTERM', async () => {
    const run = await launch(['--auto-approve', '--token-lifetime', '60']);
    try {
      assert.match(run.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
      const config = (await (await fetch(`${run.url}.well-known/openid-configuration`)).json()) as {
        issuer: string;
      };
      assert.equal(config.issuer, run.url.slice(0, -1));
      const authorize = await fetch(
        `${run.url}v2/oauth2/authorize?${authorizeParams(pkce().challenge)}`,
        { redirect: 'manual' },
      );
      assert.equal(authorize.status, 302);
      const settings = await (await fetch(`${run.url}_emulator/settings`)).json();
      assert.deepEqual(settings, {
        autoApprove: true,
        tokenLifetimeSeconds: 60,
        codeLifetimeSeconds: 600,
        rotateRefreshTokens: false,
        clockOffsetSeconds: 0,
      });
    } finally {
      run.child.kill('SIGTERM');
    }
    assert.equal(await run.exit, 0);
    assert.equal(run.stdout(), `${run.url}\n`);
    assert.match(run.stderr(), new RegExp(`GLOBUS_SDK_SERVICE_URL_AUTH=${run.url}`));
  });

  test('exits 0 on SIGINT, and when closed over HTTP', async () => {
    const first = await launch(['--decline', '--rotate-refresh-tokens']);
    const settings = (await (await fetch(`${first.url}_emulator/settings`)).json()) as Record<
      string,
      unknown
    >;
    assert.equal(settings['autoApprove'], 'decline');
    assert.equal(settings['rotateRefreshTokens'], true);
    first.child.kill('SIGINT');
    assert.equal(await first.exit, 0);
    const second = await launch([]);
    await (
      await fetch(`${second.url}_emulator/close`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
      })
    ).json();
    assert.equal(await second.exit, 0);
  });

  test('a bad flag is exit code 2 with a message on stderr and nothing on stdout', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', LAUNCHER, '--bogus'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c) => {
      out += c;
    });
    child.stderr.on('data', (c) => {
      err += c;
    });
    const code = await new Promise((resolve) => child.on('exit', resolve));
    assert.equal(code, 2);
    assert.equal(out, '');
    assert.match(err, /bogus/);
  });
});

describe('runEmulatorCommand (in process)', () => {
  test('refuses bad values with exit code 2', async () => {
    for (const argv of [
      ['--port', 'eighty'],
      ['--port', '70000'],
      ['--token-lifetime', '0'],
      ['--token-lifetime', '-5'],
      ['--host', '0.0.0.0'],
      ['--auto-approve', '--decline'],
      ['extra'],
      ['--port'],
    ]) {
      const { io, out, err } = memoryIo();
      assert.equal(await runEmulatorCommand(argv, io), 2, argv.join(' '));
      assert.equal(out(), '');
      assert.match(err(), /^native-login: error: .*\nhint: See native-login emulator --help\.\n$/);
    }
  });

  test('--help prints usage on stdout', async () => {
    const { io, out } = memoryIo();
    assert.equal(await runEmulatorCommand(['--help'], io), 0);
    assert.match(out(), /^Usage: native-login emulator/);
    assert.match(out(), /Examples:/);
  });

  test('a busy port is exit code 1', async () => {
    const controller = new AbortController();
    const first = memoryIo(controller.signal);
    const running = runEmulatorCommand([], first.io);
    while (!first.out().includes('\n')) await new Promise((r) => setTimeout(r, 10));
    const port = new URL(first.out().trim()).port;
    const second = memoryIo();
    assert.equal(await runEmulatorCommand(['--port', port], second.io), 1);
    assert.match(
      second.err(),
      /^native-login: error: The emulator cannot start: port \d+ on 127\.0\.0\.1 is in use\.\n/,
    );
    assert.match(second.err(), /\nhint: .*--port 0/);
    controller.abort();
    assert.equal(await running, 0);
    assert.match(first.err(), /stopped/);
  });
});
