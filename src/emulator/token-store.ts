/**
 * Everything the emulator has handed out: consent transactions, authorization codes, access
 * tokens and refresh tokens, as opaque random strings recorded server-side (as Globus does:
 * its tokens are not JWTs). Single-threaded JavaScript makes each take/rotate atomic.
 */
import { randomBytes } from 'node:crypto';
import type { AuthorizeRequest } from './authorize-request.js';

const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** `length` random characters from [A-Za-z0-9], without modulo bias. */
export function randomBase62(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      // 248 = 4 * 62: bytes above it would favour the first letters.
      if (byte < 248 && out.length < length) out += BASE62[byte % 62];
    }
  }
  return out;
}

/** An authorize request the emulator accepted, waiting for consent or for its code. */
export interface Authorization
  extends Pick<
    AuthorizeRequest,
    | 'clientId'
    | 'redirectUri'
    | 'state'
    | 'codeChallenge'
    | 'scopes'
    | 'offline'
    | 'nonce'
    | 'session'
  > {
  /** When the user consented (seconds), for `last_authentication`. */
  authTime: number;
}

/** What an access or refresh token grants. */
export interface Grant {
  clientId: string;
  resourceServer: string;
  scopes: string[];
  /** Issued to a confidential client for itself (client_credentials): userinfo is the client's. */
  clientIdentity?: boolean;
}

/** A live access token. */
export interface AccessRecord extends Grant {
  expiresAt: number;
}

interface Expiring<T> {
  value: T;
  expiresAt: number;
}

/** The emulator's memory of what it issued. */
export class TokenStore {
  private readonly transactions = new Map<string, Expiring<Authorization>>();
  private readonly codes = new Map<string, Expiring<Authorization>>();
  private readonly access = new Map<string, AccessRecord>();
  private readonly refresh = new Map<string, Grant & { accessTokens: Set<string> }>();

  /** Remember an authorization until the user decides; returns the one-time transaction id. */
  createTransaction(value: Authorization, now: number, ttl: number): string {
    sweep(this.transactions, now);
    const id = randomBase62(32);
    this.transactions.set(id, { value, expiresAt: now + ttl });
    return id;
  }

  /** The authorization behind a transaction id, usable once. */
  takeTransaction(id: string, now: number): Authorization | null {
    return take(this.transactions, id, now);
  }

  /** A fresh authorization code: 30 alphanumerics, like Globus's. */
  createCode(value: Authorization, now: number, ttl: number): string {
    sweep(this.codes, now);
    const code = randomBase62(30);
    this.codes.set(code, { value, expiresAt: now + ttl });
    return code;
  }

  /** The authorization behind a code, usable once: any attempt consumes it. */
  takeCode(code: string, now: number): Authorization | null {
    return take(this.codes, code, now);
  }

  /** Issue an access token, linked to the refresh token it came with (if any). */
  issueAccess(grant: Grant, expiresAt: number, refreshToken: string | null): string {
    const token = `AgX${randomBase62(45)}`;
    this.access.set(token, { ...grant, scopes: [...grant.scopes], expiresAt });
    if (refreshToken) this.refresh.get(refreshToken)?.accessTokens.add(token);
    return token;
  }

  /** Issue a refresh token. */
  issueRefresh(grant: Grant): string {
    const token = `AgR${randomBase62(45)}`;
    this.refresh.set(token, { ...grant, scopes: [...grant.scopes], accessTokens: new Set() });
    return token;
  }

  /** A live access token's record, or null (unknown or revoked; expiry is the caller's). */
  getAccess(token: string): AccessRecord | null {
    return this.access.get(token) ?? null;
  }

  /** A live refresh token's grant, or null. */
  getRefresh(token: string): Grant | null {
    const record = this.refresh.get(token);
    return record ? { ...record, scopes: [...record.scopes] } : null;
  }

  /** Retire a refresh token and issue its successor (rotation); null if it is gone already. */
  rotateRefresh(token: string): string | null {
    const record = this.refresh.get(token);
    if (!record) return null;
    this.refresh.delete(token);
    // The successor inherits the access tokens, so revoking it still revokes them.
    const next = `AgR${randomBase62(45)}`;
    this.refresh.set(next, record);
    return next;
  }

  /**
   * Revoke a token if `clientId` owns it. Revoking a refresh token also revokes the access
   * tokens issued with it (RFC 7009 §2.1); revoking an access token leaves its refresh token.
   */
  revoke(token: string, clientId: string): void {
    const access = this.access.get(token);
    if (access?.clientId === clientId) this.access.delete(token);
    const refresh = this.refresh.get(token);
    if (refresh?.clientId === clientId) {
      for (const linked of refresh.accessTokens) this.access.delete(linked);
      this.refresh.delete(token);
    }
  }

  /** Forget everything issued so far. */
  revokeAll(): void {
    this.transactions.clear();
    this.codes.clear();
    this.access.clear();
    this.refresh.clear();
  }

  /** Make every access token expire at `now`. */
  expireAccessTokens(now: number): void {
    for (const record of this.access.values()) record.expiresAt = Math.min(record.expiresAt, now);
  }
}

function take<T>(map: Map<string, Expiring<T>>, key: string, now: number): T | null {
  const entry = map.get(key);
  if (!entry) return null;
  map.delete(key);
  return entry.expiresAt > now ? entry.value : null;
}

function sweep<T>(map: Map<string, Expiring<T>>, now: number): void {
  for (const [key, entry] of map) if (entry.expiresAt <= now) map.delete(key);
}
