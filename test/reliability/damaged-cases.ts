/**
 * The damaged token files of the damaged-files test, each built from a valid file by one
 * kind of damage, with the line a good error names. The valid INI file (client `section`):
 * line 1 the header, 2–7 auth.globus.org, 8–13 transfer.api.globus.org, 14 blank.
 */
import { FAR_EXPIRY, fakeGroup, sectionText, TRANSFER } from './token-text.js';

/** One damaged file: its bytes, the storage it is for, and the line a good error names. */
export type DamagedCase = {
  name: string;
  kind: 'ini' | 'json';
  bytes: Buffer;
  /** The 1-based line the error must name; a range when several lines are right. */
  line?: number | [number, number];
};

/** The two groups of the valid file. */
export function validGroups() {
  return {
    'auth.globus.org': fakeGroup('auth.globus.org', 'damaged'),
    [TRANSFER]: fakeGroup(TRANSFER, 'damaged'),
  };
}

/** The valid INI file the damage is done to. */
export function validIni(section: string): string {
  return sectionText(section, Object.values(validGroups()));
}

function lines(text: string): string[] {
  return text.split('\n');
}

/** `text` with 1-based line `n` replaced by `by` (nothing: removed). */
function replaceLine(text: string, n: number, ...by: string[]): string {
  const all = lines(text);
  all.splice(n - 1, 1, ...by);
  return all.join('\n');
}

/** `text` cut right after the first occurrence of `marker`. */
function cutAfter(text: string, marker: string): string {
  const at = text.indexOf(marker);
  if (at < 0) throw new Error(`no ${marker}`);
  return text.slice(0, at + marker.length);
}

/** Every damaged file the issue lists, INI and JSON. */
export function damagedCases(section: string): DamagedCase[] {
  const ini = validIni(section);
  const json = JSON.stringify(validGroups(), null, 2);
  const text = (name: string, body: string, line?: DamagedCase['line']): DamagedCase => ({
    name,
    kind: 'ini',
    bytes: Buffer.from(body, 'utf8'),
    ...(line === undefined ? {} : { line }),
  });
  const badUtf8 = Buffer.concat([
    Buffer.from(cutAfter(ini, 'transfer_api_globus_org__access_token = fakeAT')),
    Buffer.from([0xff, 0xfe, 0xc3]),
    Buffer.from(ini.slice(cutAfter(ini, 'transfer_api_globus_org__access_token = fakeAT').length)),
  ]);
  return [
    text('not INI', 'This is not an INI file.\nNo section, no keys.\n', 1),
    { name: 'invalid UTF-8', kind: 'ini', bytes: badUtf8, line: 9 },
    text('a byte-order mark', `\uFEFF${ini}`, 1),
    text('cut inside a key', cutAfter(ini, 'transfer_api_globus_org__acc'), 9),
    text(
      'cut inside an access token value',
      cutAfter(ini, 'transfer_api_globus_org__access_token = fakeAT.da'),
      [8, 9],
    ),
    text(
      'cut inside the resource_server value',
      cutAfter(ini, '__resource_server = transfer.api.glo'),
      13,
    ),
    text('a field missing (expires_at_seconds)', replaceLine(ini, 12), [8, 12]),
    text(
      'a non-integer expiry',
      replaceLine(ini, 12, 'transfer_api_globus_org__expires_at_seconds = tomorrow'),
      12,
    ),
    text('a key without "__"', replaceLine(ini, 14, 'transferscope = anything', ''), 14),
    text('"%" in a value', replaceLine(ini, 3, 'auth_globus_org__access_token = fakeAT.50%off'), 3),
    text('a duplicate section', `${ini}${ini}`, 15),
    text(
      'tokens under [DEFAULT]',
      `[DEFAULT]\nauth_globus_org__access_token = fakeAT.shared.by.all\n\n${ini}`,
      2,
    ),
    {
      name: 'JSON: invalid JSON (cut)',
      kind: 'json',
      bytes: Buffer.from(cutAfter(json, `"expires_at_seconds": ${String(FAR_EXPIRY).slice(0, 2)}`)),
      line: lines(cutAfter(json, `"expires_at_seconds": ${String(FAR_EXPIRY).slice(0, 2)}`)).length,
    },
    {
      name: 'JSON: expires_at_seconds is not a number',
      kind: 'json',
      bytes: Buffer.from(
        json.replace(`"expires_at_seconds": ${FAR_EXPIRY}`, '"expires_at_seconds": "soon"'),
      ),
    },
    {
      name: 'JSON: access_token is a number',
      kind: 'json',
      bytes: Buffer.from(json.replace(/"access_token": "[^"]+"/, '"access_token": 42')),
    },
    { name: 'JSON: an array, not an object', kind: 'json', bytes: Buffer.from(`[${json}]`) },
    {
      name: 'JSON: resource_server differs from its key',
      kind: 'json',
      bytes: Buffer.from(
        json.replace(
          '"resource_server": "transfer.api.globus.org"',
          '"resource_server": "transfer.api.glo"',
        ),
      ),
    },
  ];
}
