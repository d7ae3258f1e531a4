/**
 * The public types of the emulator: its options, the identity it logs in, the faults it can
 * inject and the counters it keeps. Kept in one place so every module (and the docs) agree.
 */
import type { JsonWebKey, KeyObject } from 'node:crypto';
import type { ConsentRecord } from './consent-forest.js';
import type { SessionInfo } from './session-state.js';

/** The person the emulator logs in; every field appears in id_tokens and userinfo. */
export interface EmulatorIdentity {
  /** The Globus identity id (a UUID). */
  sub: string;
  name: string;
  email: string;
  preferred_username: string;
  organization: string;
  /** The identity provider's id (a UUID). */
  identity_provider: string;
  identity_provider_display_name: string;
}

/** What the consent page does: show it (`false`), allow at once (`true`) or decline at once. */
export type AutoApprove = boolean | 'decline';

/** Something the token endpoint does wrong on purpose, for the next N calls. */
export type EmulatorFault =
  /** 500 with Globus's API error envelope (`UNEXPECTED_ERROR`). */
  | { kind: '500' }
  /** Wait `ms` milliseconds, then answer normally. */
  | { kind: 'delay'; ms: number }
  /** `{"error":"invalid_grant"}` with status 400 (default) or 401. */
  | { kind: 'invalid_grant'; status?: 400 | 401 }
  /** 200 with a body that is not valid JSON. */
  | { kind: 'malformed_json' }
  /** An HTML page (a proxy's error page), status 502 (default) or 200. */
  | { kind: 'html'; status?: 200 | 502 }
  /** Drop the connection without answering (a network error for the client). */
  | { kind: 'reset' };

/** A fault's kind, accepted as a shorthand for the fault with its defaults (delay: 1000 ms). */
export type EmulatorFaultKind = EmulatorFault['kind'];

/** How many requests each endpoint has seen (every request, whatever its outcome). */
export interface EmulatorCounters {
  authorize: number;
  token: { authorization_code: number; refresh_token: number; client_credentials: number };
  revoke: number;
  userinfo: number;
  /** Requests to the protected resource (`/resource/…`). */
  resource: number;
  /** Requests to the consents API. */
  consents: number;
}

/**
 * What the protected resource (`/resource/…`) requires before it answers 200; every field
 * optional. Unmet requirements come back as one GARE (403 unless `status` says 401).
 */
export interface ResourcePolicy {
  /** The resource server the token must be for (default `transfer.api.globus.org`). */
  resourceServer?: string;
  /** Scopes (with dependents, e.g. `transfer:all[*<coll>/data_access]`) consented to. */
  requiredScopes?: string[];
  /** MFA done in the session at most this many seconds ago. */
  mfaWithinSeconds?: number;
  /** The session's identity is from one of these domains. */
  singleDomain?: string[];
  /** The session's identity is this one. */
  identity?: string;
  /** `transfer`: Transfer's legacy `{"code":"ConsentRequired","required_scopes":…}` for consents. */
  shape?: 'current' | 'transfer';
  status?: 401 | 403;
  /** The `session_message` (default: a generic sentence). */
  message?: string;
}

/** Options of {@link startEmulator}; every one is optional. */
export interface EmulatorOptions {
  /** A loopback address to listen on: 127.x.x.x, ::1 or localhost (default 127.0.0.1). */
  host?: string;
  /** The port (default 0: any free port). */
  port?: number;
  /** The client ids to accept; when absent, any client id that looks like a UUID. */
  clientIds?: string[];
  /** Confidential clients (client id → secret) allowed the client_credentials grant. */
  confidentialClients?: Record<string, string>;
  /** More scopes to accept, mapped to their resource server. */
  extraScopes?: Record<string, string>;
  /** The person to log in; missing fields take the defaults. */
  identity?: Partial<EmulatorIdentity>;
  /** Skip the consent page (default false). */
  autoApprove?: AutoApprove;
  /** Access token lifetime, the `expires_in` (default 172800). */
  tokenLifetimeSeconds?: number;
  /** How long an authorization code can be exchanged (default 600). */
  codeLifetimeSeconds?: number;
  /** Issue a new refresh token on every refresh and retire the old one (default false). */
  rotateRefreshTokens?: boolean;
  /** Added to the clock, in seconds (default 0). */
  clockOffsetSeconds?: number;
  /** The RS512 signing key (an RSA private key, or its PEM); a fresh 2048-bit one otherwise. */
  privateKey?: KeyObject | string;
  /** The clock, in seconds (default: the system clock). */
  now?: () => number;
  /** Largest request body accepted (default 65536 bytes); larger ones get 413. */
  maxBodyBytes?: number;
  /** More identities linked to the person (default: one at `uni.example`), for session requirements. */
  linkedIdentities?: Partial<EmulatorIdentity>[];
  /** What the protected resource requires (default: nothing but a valid token). */
  resourcePolicy?: ResourcePolicy;
}

/** The settings that the test controls change while the emulator runs. */
export interface EmulatorSettings {
  autoApprove: AutoApprove;
  tokenLifetimeSeconds: number;
  codeLifetimeSeconds: number;
  rotateRefreshTokens: boolean;
  clockOffsetSeconds: number;
}

/** A running emulator and its test controls. */
export interface Emulator {
  /** The base URL, with a trailing slash: `http://127.0.0.1:PORT/`. */
  readonly url: string;
  /** The issuer: the base URL without its trailing slash. */
  readonly issuer: string;
  readonly host: string;
  readonly port: number;
  readonly identity: Readonly<EmulatorIdentity>;
  /** Settles once the emulator has stopped (by `close()` or `POST /_emulator/close`). */
  readonly closed: Promise<void>;
  /** Stop listening and drop every connection; safe to call twice. */
  close(): Promise<void>;
  setAutoApprove(value: AutoApprove): void;
  setTokenLifetime(seconds: number): void;
  setRotateRefreshTokens(on: boolean): void;
  setClockOffset(seconds: number): void;
  /** Register (or re-key) a confidential client for the client_credentials grant. */
  registerConfidentialClient(clientId: string, secret: string): void;
  /** Make the next `count` token requests fail with `fault` (queued after earlier faults). */
  injectFault(fault: EmulatorFault | EmulatorFaultKind, count?: number): void;
  clearFaults(): void;
  /** The faults still queued, in order. */
  pendingFaults(): EmulatorFault[];
  counters(): EmulatorCounters;
  resetCounters(): void;
  /** Revoke every code, access token and refresh token issued so far ("log in again"). */
  revokeAll(): void;
  /** Make every access token issued so far expired (refresh tokens keep working). */
  expireAccessTokens(): void;
  /** The query parameters of the last authorize request, as received (or null). */
  lastAuthorizeRequest(): Record<string, string> | null;
  /** The current settings. */
  settings(): EmulatorSettings;
  /** Change several settings at once (all checked before any applies); returns the result. */
  updateSettings(partial: Partial<EmulatorSettings>): EmulatorSettings;
  /** The public signing key, as served at /jwk.json. */
  publicJwk(): JsonWebKey;
  /** Replace what the protected resource requires. */
  setResourcePolicy(policy: ResourcePolicy): void;
  /** What the protected resource requires now. */
  resourcePolicy(): ResourcePolicy;
  /** The person's current session (identity, auth time, MFA time), or null before a login. */
  session(): SessionInfo | null;
  /** The consents recorded for the person (the consents API's answer). */
  consents(): ConsentRecord[];
  /** Forget every consent, as if the person revoked them at app.globus.org. */
  clearConsents(): void;
  /** Register more scopes (scope → resource server), like the `extraScopes` option. */
  registerScopes(scopes: Record<string, string>): void;
}
