/**
 * How one client's tokens are laid out as keychain items (pure). Windows Credential Manager
 * caps an item at 2,560 bytes, stored as UTF-16 by the keyring library, so every item here is
 * kept to at most 1,200 ASCII characters:
 *
 * - the index, account `<clientId>`: the resource servers this client may have items for
 *   (written before their items, so it always covers them and logout finds every one);
 * - one item per resource server, account `<clientId>/<resource server>`: that token group as
 *   JSON, the identity (`identity_id`) included, as the INI storage keeps it;
 * - a value too long for one item (a huge scope string) continues in parts named
 *   `<account>#<generation>#<n>`; the head names its generation, so a writer killed between
 *   parts never mixes two versions: the old head still points at the old parts.
 */

/** The keychain service name used when none is given. */
export const DEFAULT_KEYRING_SERVICE = 'native-login';

/** The longest value written to one item, in characters (all ASCII, see `asciiJson`). */
export const ITEM_CHARS = 1200;

/** The marker at the start of every head item; a bump would mean a new layout. */
const HEAD_MARK = 'nl1';

/** One item to write: its account name and value. */
export type KeyringItem = { account: string; value: string };

/** A decoded head item: how many parts, their generation, and the first part's data. */
export type KeyringHead = { parts: number; generation: string; data: string };

/** The account of the index of `clientId`'s items. */
export function indexAccount(clientId: string): string {
  return clientId;
}

/** The account of the item holding `resourceServer`'s token group. */
export function groupAccount(clientId: string, resourceServer: string): string {
  return `${clientId}/${resourceServer}`;
}

/** The account of part `n` (2, 3, …) of a long value in generation `generation`. */
export function partAccount(account: string, generation: string, n: number): string {
  return `${account}#${generation}#${n}`;
}

/** Whether a client id can name items unambiguously (no `/`, `#` or control characters). */
export function isValidKeyringClientId(clientId: string): boolean {
  return clientId !== '' && !/[/#\p{Cc}]/u.test(clientId);
}

/**
 * JSON with every non-ASCII character escaped (`\uXXXX`): the text is then the same length in
 * UTF-8 and UTF-16 code units, and can be cut anywhere without splitting a character.
 */
export function asciiJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[\u007f-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** The items that store `text` under `account`: a head, plus parts when it is long. */
export function encodeValue(account: string, text: string, generation: string): KeyringItem[] {
  const firstRoom = ITEM_CHARS - `${HEAD_MARK} ${generation} 999\n`.length;
  if (text.length <= firstRoom) return [{ account, value: `${HEAD_MARK} - 1\n${text}` }];
  const chunks = [text.slice(0, firstRoom)];
  for (let at = firstRoom; at < text.length; at += ITEM_CHARS) {
    chunks.push(text.slice(at, at + ITEM_CHARS));
  }
  const parts = chunks.slice(1).map((value, i) => ({
    account: partAccount(account, generation, i + 2),
    value,
  }));
  // Parts first, head last: the head is what makes a new version visible.
  return [
    ...parts,
    { account, value: `${HEAD_MARK} ${generation} ${chunks.length}\n${chunks[0]}` },
  ];
}

/** Reads a head item; undefined when it is not one of ours. */
export function decodeHead(value: string): KeyringHead | undefined {
  const match = /^nl1 ([-0-9a-f]+) ([1-9][0-9]{0,2})\n/.exec(value);
  if (!match) return undefined;
  return {
    generation: match[1] as string,
    parts: Number(match[2]),
    data: value.slice(match[0].length),
  };
}

/** The accounts of a head's extra parts (none for a one-item value). */
export function extraPartAccounts(account: string, head: KeyringHead): string[] {
  const accounts: string[] = [];
  for (let n = 2; n <= head.parts; n++) accounts.push(partAccount(account, head.generation, n));
  return accounts;
}

/** The index's text for these resource servers (sorted, no duplicates). */
export function encodeIndex(resourceServers: Iterable<string>): string {
  return asciiJson({ resource_servers: [...new Set(resourceServers)].sort() });
}

/** The resource servers an index lists; an unreadable index lists none. */
export function decodeIndex(text: string | undefined): string[] {
  if (text === undefined) return [];
  try {
    const parsed: unknown = JSON.parse(text);
    const list = (parsed as { resource_servers?: unknown } | null)?.resource_servers;
    return Array.isArray(list) ? list.filter((rs): rs is string => typeof rs === 'string') : [];
  } catch {
    return [];
  }
}
