// Where a confidential client's secret may come from, and the files that are refused.
import { strict as assert } from 'node:assert';
import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { hasClientSecret, readClientSecret } from '../../src/client-credentials/client-secret.js';
import { UsageError } from '../../src/errors.js';

const SECRET = 'Zx8+Wq2/Lm5=Secret';
let dir: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'native-login-secret-'));
});
after(() => rm(dir, { recursive: true, force: true }));

async function secretFile(name: string, text: string, mode: number): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, text, { mode });
  await chmod(file, mode); // the umask may have taken bits away
  return file;
}

async function refusal(promise: Promise<unknown>): Promise<UsageError> {
  const error = await promise.then(
    () => assert.fail('should be refused'),
    (e: unknown) => e,
  );
  assert.ok(error instanceof UsageError);
  assert.ok(!`${error.message} ${error.hint}`.includes(SECRET), 'the secret is never shown');
  return error;
}

test('option first, then file, then NATIVE_LOGIN_CLIENT_SECRET', async () => {
  const file = await secretFile('order', 'from-file\n', 0o600);
  const env = { NATIVE_LOGIN_CLIENT_SECRET: 'from-env' };
  assert.equal(
    await readClientSecret({ clientSecret: SECRET, clientSecretFile: file, env }),
    SECRET,
  );
  assert.equal(await readClientSecret({ clientSecretFile: file, env }), 'from-file');
  assert.equal(await readClientSecret({ env }), 'from-env');
  assert.equal(hasClientSecret({ env: {} }), false);
  assert.equal(hasClientSecret({ env }), true);
  const none = await refusal(readClientSecret({ env: {} }));
  assert.equal(none.code, 'client_secret_missing');
});

test('a file that group or others may read or write is refused, whatever the bit', async () => {
  for (const mode of [0o640, 0o604, 0o620, 0o602, 0o644, 0o666]) {
    const file = await secretFile(`mode-${mode.toString(8)}`, SECRET, mode);
    const error = await refusal(readClientSecret({ clientSecretFile: file, env: {} }));
    assert.equal(error.code, 'client_secret_file_unsafe', mode.toString(8));
    assert.match(error.hint ?? '', /chmod 600/);
  }
  const owner = await secretFile('owner-only', `${SECRET}\r\n`, 0o400);
  assert.equal(await readClientSecret({ clientSecretFile: owner, env: {} }), SECRET);
});

test('a symlink is judged by the file it points at', async () => {
  const target = await secretFile('target', SECRET, 0o644);
  const link = join(dir, 'link');
  await symlink(target, link);
  await refusal(readClientSecret({ clientSecretFile: link, env: {} }));
  await chmod(target, 0o600);
  assert.equal(await readClientSecret({ clientSecretFile: link, env: {} }), SECRET);
});

test('Windows has no mode bits: the check is left to its ACLs', async () => {
  const file = await secretFile('windows', SECRET, 0o644);
  assert.equal(await readClientSecret({ clientSecretFile: file, platform: 'win32' }), SECRET);
});

test('missing, a folder, empty, several lines or huge: refused without quoting it', async () => {
  const missing = await refusal(readClientSecret({ clientSecretFile: join(dir, 'nope') }));
  assert.equal(missing.code, 'client_secret_file_unreadable');
  const folder = join(dir, 'folder');
  await mkdir(folder, { mode: 0o700 });
  await refusal(readClientSecret({ clientSecretFile: folder }));
  const empty = await secretFile('empty', '\n', 0o600);
  assert.equal(
    (await refusal(readClientSecret({ clientSecretFile: empty }))).code,
    'client_secret_missing',
  );
  const lines = await secretFile('lines', `${SECRET}\n${SECRET}\n`, 0o600);
  assert.equal(
    (await refusal(readClientSecret({ clientSecretFile: lines }))).code,
    'client_secret_invalid',
  );
  const huge = await secretFile('huge', SECRET.repeat(1000), 0o600);
  await refusal(readClientSecret({ clientSecretFile: huge }));
});
