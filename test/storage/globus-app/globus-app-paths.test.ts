import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { UsageError } from '../../../src/errors.js';
import {
  globusAppEnvironment,
  globusAppTokenPath,
  slugifyAppName,
} from '../../../src/storage/globus-app/globus-app-paths.js';
import { run } from '../storage-test-kit.js';

const PEER = 'test/fixtures/globus-app-python.py';
const CLIENT = '61338d24-54d5-408f-a10d-66c06b59f6d2';

/** App name → GlobusApp's folder name (null: refused). */
const SLUGS: readonly (readonly [string, string | null])[] = [
  ['My App', 'my-app'],
  ['a. b', 'a--b'],
  ['a?', 'a+'],
  ['<>:"/\\|?*', '+++++++++'],
  ['a\0b\tc\nd', 'abcd'],
  ['AB', 'ab'],
  ['Transfer CLI v1.2', 'transfer-cli-v1-2'],
  ['caf\u00e9 \u00c9T\u00c9', 'caf\u00e9-\u00e9t\u00e9'],
  ['zero\u200bwidth\u00a0nbsp', 'zerowidthnbsp'],
  ['emoji \u{1F600}', 'emoji-\u{1F600}'],
  ['con', null],
  ['CON', null],
  ['Lpt9', null],
  ['com\u0661', null], // Python's \d is any Unicode digit
  ['con.txt', 'con-txt'],
  ['conx', 'conx'],
  ['com10', 'com10'],
  ['', null],
  ['\0\u200b', null],
];

describe('GlobusApp file paths (pure)', () => {
  test('the slug table', () => {
    for (const [name, slug] of SLUGS) {
      if (slug === null) {
        assert.throws(() => slugifyAppName(name), UsageError, JSON.stringify(name));
      } else {
        assert.equal(slugifyAppName(name), slug, JSON.stringify(name));
      }
    }
  });

  test('the slug table agrees with python3 (str.isprintable, str.lower, re)', async () => {
    const result = await run('python3', [
      PEER,
      'slug',
      ...SLUGS.map(([n]) => n).filter((n) => !n.includes('\0')),
    ]);
    assert.equal(result.code, 0, result.stderr);
    const python = JSON.parse(result.stdout) as unknown[];
    const ours = SLUGS.filter(([n]) => !n.includes('\0')).map(([n]) => {
      try {
        return slugifyAppName(n);
      } catch {
        return 'refused';
      }
    });
    assert.deepEqual(
      python.map((p) => (typeof p === 'string' ? p : 'refused')),
      ours,
    );
  });

  test('a refused name says why, and names the app', () => {
    assert.throws(() => slugifyAppName('Aux'), /reserved file name \("aux"\)/);
    assert.throws(() => slugifyAppName('\u200b'), /empty/);
  });

  test('POSIX: ~/.globus/app/<client>/<slug>/tokens.json; other environments are a prefix', () => {
    const env = { HOME: '/home/ada/' };
    const base = { clientId: CLIENT, appName: 'My App', platform: 'linux' as const, env };
    assert.equal(globusAppTokenPath(base), `/home/ada/.globus/app/${CLIENT}/my-app/tokens.json`);
    assert.equal(
      globusAppTokenPath({ ...base, environment: 'sandbox' }),
      `/home/ada/.globus/app/${CLIENT}/my-app/sandbox-tokens.json`,
    );
    assert.equal(
      globusAppTokenPath({ ...base, env: { ...env, GLOBUS_SDK_ENVIRONMENT: 'preview' } }),
      `/home/ada/.globus/app/${CLIENT}/my-app/preview-tokens.json`,
    );
    // The option wins over the variable, as GlobusAppConfig(environment=...) does.
    assert.equal(
      globusAppTokenPath({
        ...base,
        environment: 'production',
        env: { ...env, GLOBUS_SDK_ENVIRONMENT: 'preview' },
      }),
      `/home/ada/.globus/app/${CLIENT}/my-app/tokens.json`,
    );
    assert.equal(
      globusAppTokenPath({ ...base, platform: 'darwin' }).startsWith('/home/ada/.globus'),
      true,
    );
  });

  test('POSIX path agrees with python3 os.path.expanduser', async () => {
    const result = await run('python3', [PEER, 'path', CLIENT, 'Sandbox Tool', 'sandbox']);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(
      globusAppTokenPath({
        clientId: CLIENT,
        appName: 'Sandbox Tool',
        environment: 'sandbox',
        platform: 'linux',
        env: process.env,
      }),
      JSON.parse(result.stdout),
    );
  });

  test('Windows: %LOCALAPPDATA%, else %APPDATA%, else ~\\AppData\\Local', () => {
    const base = { clientId: CLIENT, appName: 'My App', platform: 'win32' as const };
    const tail = `globus\\app\\${CLIENT}\\my-app\\tokens.json`;
    assert.equal(
      globusAppTokenPath({
        ...base,
        env: { LOCALAPPDATA: 'C:\\Users\\ada\\AppData\\Local', APPDATA: 'C:\\Roaming' },
      }),
      `C:\\Users\\ada\\AppData\\Local\\${tail}`,
    );
    assert.equal(
      globusAppTokenPath({ ...base, env: { APPDATA: 'C:\\Users\\ada\\AppData\\Roaming' } }),
      `C:\\Users\\ada\\AppData\\Roaming\\${tail}`,
    );
    assert.equal(
      globusAppTokenPath({ ...base, env: { USERPROFILE: 'C:\\Users\\ada' } }),
      `C:\\Users\\ada\\AppData\\Local\\${tail}`,
    );
    assert.equal(
      globusAppTokenPath({ ...base, env: { HOMEDRIVE: 'D:', HOMEPATH: '\\home\\ada' } }),
      `D:\\home\\ada\\AppData\\Local\\${tail}`,
    );
    // os.getenv("LOCALAPPDATA", os.getenv("APPDATA")): set but empty → the home folder.
    assert.equal(
      globusAppTokenPath({
        ...base,
        env: { LOCALAPPDATA: '', APPDATA: 'C:\\R', USERPROFILE: 'C:\\U' },
      }),
      `C:\\U\\AppData\\Local\\${tail}`,
    );
    assert.equal(
      globusAppTokenPath({ ...base, env: { LOCALAPPDATA: 'E:\\data\\' }, environment: 'test' }),
      `E:\\data\\globus\\app\\${CLIENT}\\my-app\\test-tokens.json`,
    );
    assert.equal(
      globusAppTokenPath({ ...base, env: {}, homedir: 'C:\\Users\\x' }),
      `C:\\Users\\x\\AppData\\Local\\${tail}`,
    );
  });

  test('the environment: option, else GLOBUS_SDK_ENVIRONMENT, else production', () => {
    assert.equal(globusAppEnvironment(undefined, {}), 'production');
    assert.equal(globusAppEnvironment(undefined, { GLOBUS_SDK_ENVIRONMENT: 'sandbox' }), 'sandbox');
    assert.equal(globusAppEnvironment('test', { GLOBUS_SDK_ENVIRONMENT: 'sandbox' }), 'test');
  });
});
