/**
 * The suite's secrets check: every access and refresh token a test sees (issued by the
 * emulator, stored in a file, made up for a damaged file) is collected, every text the suite
 * captures (stderr, CLI stdout other than `token`'s, error messages and hints, log lines) is
 * kept, and at the end no text may contain any token. Emulator tokens are also caught by
 * their shape (`AgX…`/`AgR…`), so one that was never collected cannot slip through either.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';

/** The shape of the emulator's access (`AgX`) and refresh (`AgR`) tokens. */
const EMULATOR_TOKEN = /Ag[XR][A-Za-z0-9]{45}/g;
/** Token values in the INI and JSON token files. */
const IN_FILE = [
  /^[ \t]*[^\s=:]+__(?:access|refresh)_token[ \t]*[=:][ \t]*(\S+)/gm,
  /"(?:access|refresh)_token"\s*:\s*"([^"]+)"/g,
];

/** A finding: which captured text holds which token (shown cut, never whole). */
export type Leak = { label: string; token: string };

/** Collects tokens and captured texts; `leaks()` says which texts hold a token. */
export class SecretScan {
  /** Registers the file's last test: gather what `collect` adds, then fail on any token. */
  checkAtEnd(collect: () => Promise<void> | void = () => undefined): void {
    test('secrets: no token in any captured output', async (t) => {
      await collect();
      const leaks = this.leaks();
      t.diagnostic(
        `secrets: ${this.stats().tokens} tokens checked against ${this.stats().texts} texts`,
      );
      assert.deepEqual(leaks, []);
    });
  }

  readonly #tokens = new Set<string>();
  readonly #texts: { label: string; text: string }[] = [];

  /** Remembers one token (empty and very short values are not secrets worth scanning for). */
  addToken(token: string | null | undefined): void {
    if (typeof token === 'string' && token.length >= 8) this.#tokens.add(token);
  }

  /** Remembers every access and refresh token of token groups. */
  addGroups(tokens: Record<string, { access_token: string; refresh_token: string | null }>): void {
    for (const group of Object.values(tokens)) {
      this.addToken(group.access_token);
      this.addToken(group.refresh_token);
    }
  }

  /** Remembers every token found in a token file's text (INI or JSON, damaged or not). */
  addFromText(text: string): void {
    for (const pattern of IN_FILE) {
      for (const match of text.matchAll(pattern)) this.addToken(match[1]);
    }
    for (const match of text.matchAll(EMULATOR_TOKEN)) this.addToken(match[0]);
  }

  /** Remembers the tokens of a file, if it exists. */
  addFromFile(path: string): void {
    let text: string;
    try {
      text = readFileSync(path, 'latin1');
    } catch {
      return;
    }
    this.addFromText(text);
  }

  /** Remembers the tokens of every file in a folder (token files, moved-aside and temp files). */
  async addFromFolder(dir: string): Promise<void> {
    const names = await readdir(dir, { recursive: true }).catch(() => [] as string[]);
    for (const name of names) this.addFromFile(join(dir, String(name)));
  }

  /** Keeps a text that must hold no token. */
  capture(label: string, text: string | undefined | null): void {
    if (text) this.#texts.push({ label, text });
  }

  /** Keeps everything an error shows: message, hint, code, stack, and its causes'. */
  captureError(label: string, error: unknown): void {
    let current: unknown = error;
    for (let depth = 0; depth < 6 && current !== undefined && current !== null; depth++) {
      if (typeof current !== 'object') {
        this.capture(`${label} (cause ${depth})`, String(current));
        break;
      }
      const record = current as { message?: unknown; hint?: unknown; stack?: unknown };
      for (const part of [record.message, record.hint, record.stack, String(current)]) {
        if (typeof part === 'string') this.capture(`${label} (cause ${depth})`, part);
      }
      current = (current as { cause?: unknown }).cause;
    }
  }

  /** A fetch that remembers every token in the JSON answers it passes through. */
  tapFetch(base: typeof fetch = fetch): typeof fetch {
    return async (input, init) => {
      const response = await base(input, init);
      if ((response.headers.get('content-type') ?? '').includes('json')) {
        const text = await response
          .clone()
          .text()
          .catch(() => '');
        this.addFromText(text);
      }
      return response;
    };
  }

  /** How many tokens and texts are held. */
  stats(): { tokens: number; texts: number } {
    return { tokens: this.#tokens.size, texts: this.#texts.length };
  }

  /** Every (text, token) pair where the text holds the token, plus emulator-shaped tokens. */
  leaks(): Leak[] {
    const found: Leak[] = [];
    for (const { label, text } of this.#texts) {
      for (const token of this.#tokens) {
        if (text.includes(token)) found.push({ label, token: `${token.slice(0, 6)}…` });
      }
      for (const match of text.matchAll(EMULATOR_TOKEN)) {
        found.push({ label, token: `${match[0].slice(0, 6)}… (emulator shape)` });
      }
    }
    return found;
  }
}
