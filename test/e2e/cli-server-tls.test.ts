/**
 * `--storage postgres://…?sslmode=verify-full` and `rediss://…` against private servers that
 * speak TLS only, with a certificate authority of the test's own: trusted through
 * NODE_EXTRA_CA_CERTS, as users of a private CA do, the CLI moves a login in and reads it
 * back; not trusted, it fails with a storage error (exit 5) that says why, without the password.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type Emulator, startEmulator } from '../../src/emulator/index.js';
import { MultiClientTokenStorage } from '../../src/storage/ini/multi-client-token-storage.js';
import { baseEnv, type CliResult, runCli, TEST_CLIENT_ID } from '../cli/cli-harness.js';
import { startPostgres, startRedis } from '../helpers/private-servers.js';
import { loginWithScriptedBrowser } from '../helpers/scripted-browser.js';
import { makeTestCertificates, type TestCertificates } from '../helpers/test-certificates.js';

const PASSWORD = 'pw-must-not-show';
let emulator: Emulator;
let home: string;
let certificates: TestCertificates | string;
before(async () => {
  emulator = await startEmulator({ autoApprove: true });
  home = await mkdtemp(join(tmpdir(), 'native-login-cli-tls-'));
  certificates = makeTestCertificates(home);
});
after(async () => {
  await emulator?.close();
  await rm(home, { recursive: true, force: true });
});

for (const kind of ['postgres', 'redis'] as const) {
  describe(`native-login --storage ${kind} over TLS`, () => {
    test('trusted: a login moves in and reads back; untrusted: exit 5 saying why', async (t) => {
      if (typeof certificates === 'string') return t.skip(certificates);
      const tls = certificates;
      const server = await (kind === 'postgres' ? startPostgres({ tls }) : startRedis({ tls }));
      if (typeof server === 'string') return t.skip(`cannot start ${kind}: ${server}`);
      t.after(() => server.stop());
      const url =
        kind === 'postgres'
          ? `${server.url.replace('postgres@', `postgres:${PASSWORD}@`)}?sslmode=verify-full`
          : server.url.replace('//', `//:${PASSWORD}@`);
      const iniFile = join(home, `.tls-${kind}.cfg`);
      const ini = new MultiClientTokenStorage({ filename: iniFile });
      const tokens = await loginWithScriptedBrowser(emulator.url, TEST_CLIENT_ID, ini);
      const env = baseEnv(home, { GLOBUS_SDK_SERVICE_URL_AUTH: emulator.url });
      const cli = (args: string[], trust: boolean): Promise<CliResult> =>
        runCli(['--client-id', TEST_CLIENT_ID, ...args], {
          ...env,
          ...(trust ? { NODE_EXTRA_CA_CERTS: tls.ca } : {}),
        });
      const noPassword = (result: CliResult) =>
        assert.doesNotMatch(result.stdout + result.stderr, new RegExp(PASSWORD));

      const moved = await cli(
        ['--storage', iniFile, 'migrate', '--from', 'ini', '--to', url],
        true,
      );
      noPassword(moved);
      assert.equal(moved.code, 0, moved.stderr);
      const status = await cli(['--storage', url, 'status', '--json'], true);
      noPassword(status);
      assert.equal(status.code, 0, status.stderr);
      const report = JSON.parse(status.stdout) as { tokens: unknown[] };
      assert.equal(report.tokens.length, Object.keys(tokens).length);

      const untrusted = await cli(['--storage', url, 'status'], false);
      noPassword(untrusted);
      assert.equal(untrusted.code, 5, untrusted.stderr);
      assert.match(untrusted.stderr, /TLS certificate of the server .* is not trusted here/);
      assert.match(untrusted.stderr, /NODE_EXTRA_CA_CERTS/);
      assert.match(untrusted.stderr, new RegExp(`127\\.0\\.0\\.1:${server.port}`));
    });
  });
}
