/**
 * Permissions: under umask 000 and 022, no token file, temp file or lock file is ever readable
 * by others, not even for a moment: strace records the mode given to open(2) for every file
 * created (it must have no group/other bits; a later chmod would be too late), every mkdir
 * (a created parent folder is 0700) and every chmod. Covers the library's storages and the
 * `native-login token` command refreshing a token. Skipped, visibly, without strace.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { CLIENT_ID, setupClient } from '../helpers/client-setup.js';
import { CLI_MAIN, childEnv, script, start } from './children.js';
import { SecretScan } from './secret-scan.js';
import { type Creation, creationsUnder, hasStrace, octal } from './strace-log.js';

const STRACE = hasStrace();
const TRACE = 'trace=open,openat,creat,mkdir,mkdirat,chmod,fchmod,fchmodat';
const scan = new SecretScan();
const dir = await mkdtemp(join(tmpdir(), 'native-login-perms-'));
after(() => rm(dir, { recursive: true, force: true }));

/** Runs `command args…` under strace with `umask`, returning the log and the child's end. */
async function traced(umask: string, log: string, command: string[], env: NodeJS.ProcessEnv) {
  const child = start(
    'sh',
    ['-c', `umask ${umask} && exec strace -f -qq -o "$0" -e ${TRACE} "$@"`, log, ...command],
    env,
  );
  const end = await child.ended;
  return { child, end, log: await readFile(log, 'utf8') };
}

/** Creations that give group or others any bit, or a folder other than 0700. */
function violations(creations: readonly Creation[]): string[] {
  return creations
    .filter((c) =>
      c.call.startsWith('mkdir')
        ? c.mode !== 0o700
        : c.mode === undefined || (c.mode & 0o077) !== 0,
    )
    .map((c) => `${c.call} ${c.path} ${c.flags} ${octal(c.mode)}`);
}

function summary(creations: readonly Creation[]): string {
  const files = creations.filter((c) => !c.call.startsWith('mkdir') && !c.call.includes('chmod'));
  const count = (pattern: RegExp) => files.filter((c) => pattern.test(c.path)).length;
  const modes = [...new Set(files.map((c) => octal(c.mode)))].join('/');
  const dirs = creations.filter((c) => c.call.startsWith('mkdir'));
  const chmods = creations.filter((c) => c.call.includes('chmod'));
  return (
    `${files.length} files created (${count(/\.lock(\.\d+\.[0-9a-f]+\.tmp)?$/)} locks, ${count(/(?<!\.lock\.\d+\.[0-9a-f]+)\.tmp$/)} temp files) with mode ${modes} given to open(2); ` +
    `${dirs.length} mkdir calls with mode ${[...new Set(dirs.map((c) => octal(c.mode)))].join('/') || '-'}; ${chmods.length} chmod calls`
  );
}

describe('token files are private from their first byte', {
  skip: STRACE ? false : 'strace is not installed',
}, () => {
  for (const umask of ['000', '022']) {
    test(`umask ${umask}: every storage creates files 0600 and folders 0700`, async (t) => {
      const folder = await mkdtemp(join(dir, `storages-${umask}-`));
      const run = await traced(
        umask,
        join(dir, `storages-${umask}.log`),
        [process.execPath, '--import', 'tsx', script('permissions-child.ts'), folder],
        childEnv(dir),
      );
      scan.capture(`umask ${umask}: child stderr`, run.child.stderr());
      assert.equal(run.end.code, 0, run.child.stderr());
      assert.equal(run.child.stdout(), 'done\n');
      const creations = creationsUnder(run.log, folder);
      t.diagnostic(`permissions, umask ${umask}, storages: ${summary(creations)}`);
      assert.deepEqual(violations(creations), []);
      const created = creations.filter((c) => c.call.startsWith('open') || c.call === 'creat');
      assert.ok(
        created.some((c) => /\.lock(\.\d+\.[0-9a-f]+\.tmp)?$/.test(c.path)),
        'locks were created',
      );
      assert.ok(
        created.some((c) => c.path.endsWith('.tmp')),
        'temp files were created',
      );
      const finals = ['new/deeper/tokens.cfg', 'json/tokens.json'].map((p) => join(folder, p));
      for (const file of [...finals, join(folder, 'single/tokens.cfg')]) {
        assert.ok(!created.some((c) => c.path === file), `${file} is never created in place`);
      }
      const moved = (await readdir(join(folder, 'single'))).filter((n) => n.includes('.corrupt-'));
      assert.equal(moved.length, 1, 'single/tokens.cfg was moved aside');
      for (const file of [...finals, join(folder, 'single', moved[0]!)]) {
        assert.equal(octal((await stat(file)).mode & 0o777), '0600', file);
        scan.addFromFile(file);
      }
      for (const sub of ['new', 'new/deeper', 'single', 'json']) {
        assert.equal(
          octal((await stat(join(folder, sub))).mode & 0o777),
          '0700',
          `${sub}/ is 0700`,
        );
      }
    });
  }

  test('umask 000: native-login token refreshing a token writes 0600 files only', async (t) => {
    const s = await setupClient({ client: { fetch: scan.tapFetch() } });
    try {
      scan.addGroups(await s.client.login({ refreshTokens: true }));
      const stored = await s.client.tokenStorage!.readTokens();
      const past = Math.floor(Date.now() / 1000) - 3600;
      await s.client.saveTokens(
        Object.fromEntries(
          Object.entries(stored).map(([rs, g]) => [rs, { ...g, expires_at_seconds: past }]),
        ),
      );
      const env = childEnv(s.dir, {
        NATIVE_LOGIN_STORAGE: s.tokenFile,
        GLOBUS_SDK_SERVICE_URL_AUTH: s.emulator.url,
      });
      const run = await traced(
        '000',
        join(dir, 'cli.log'),
        [
          process.execPath,
          '--import',
          'tsx',
          CLI_MAIN,
          '--client-id',
          CLIENT_ID,
          'token',
          '-r',
          'auth.globus.org',
        ],
        env,
      );
      scan.capture('cli stderr', run.child.stderr());
      scan.addToken(run.child.stdout().trim());
      assert.equal(run.end.code, 0, run.child.stderr());
      assert.equal(s.emulator.counters().token.refresh_token, 1, 'the token was refreshed');
      const creations = creationsUnder(run.log, s.dir);
      t.diagnostic(`permissions, umask 000, native-login token (refresh): ${summary(creations)}`);
      assert.deepEqual(violations(creations), []);
      assert.ok(
        creations.some((c) => c.path.endsWith('.tmp')),
        'the refresh wrote the file',
      );
      assert.equal(octal((await stat(s.tokenFile)).mode & 0o777), '0600');
      await scan.addFromFolder(s.dir);
      scan.capture('client stderr', s.messages());
    } finally {
      await s.cleanup();
    }
  });
});

scan.checkAtEnd();
