/**
 * The state one running emulator shares between its routes: settings, identity, issued
 * tokens, queued faults and counters. Built once per emulator; no module-level state.
 */

import { checkConfidentialClients } from './client-credentials.js';
import { ConsentForest } from './consent-forest.js';
import type {
  EmulatorCounters,
  EmulatorIdentity,
  EmulatorOptions,
  EmulatorSettings,
  ResourcePolicy,
} from './emulator-types.js';
import { FaultQueue } from './fault-queue.js';
import type { IdTokenSigner } from './id-token.js';
import { checkResourcePolicy } from './resource-routes.js';
import { isUuid } from './scope-table.js';
import { DEFAULT_LINKED_IDENTITY, linkedIdentity, PersonSession } from './session-state.js';
import { TokenStore } from './token-store.js';

/** The identity logged in when none is given. */
export const DEFAULT_IDENTITY: Readonly<EmulatorIdentity> = Object.freeze({
  sub: 'b0d4a1c2-6e3f-4a5b-9c8d-7e6f5a4b3c2d',
  name: 'Ada Lovelace',
  email: 'ada@example.org',
  preferred_username: 'ada@globusid.org',
  organization: 'Analytical Engine Society',
  identity_provider: '41143743-f3c8-4d60-bbdb-eeecaba85bd9',
  identity_provider_display_name: 'Globus ID',
});

/** Defaults for the settings that the controls can change. */
export const DEFAULT_TOKEN_LIFETIME_SECONDS = 172_800;
export const DEFAULT_CODE_LIFETIME_SECONDS = 600;
export const DEFAULT_MAX_BODY_BYTES = 64 * 1024;

/** Everything a route handler needs. */
export interface EmulatorContext {
  /** Base URL with its trailing slash. */
  readonly baseUrl: string;
  /** Base URL without it. */
  readonly issuer: string;
  readonly identity: Readonly<EmulatorIdentity>;
  readonly settings: EmulatorSettings;
  readonly clientIds: ReadonlySet<string> | null;
  /** Confidential clients and their secrets (client_credentials, Basic authentication). */
  readonly confidentialClients: Map<string, string>;
  /** Registered scopes (the option, then the control): mutable so the control can add. */
  readonly extraScopes: Record<string, string>;
  readonly store: TokenStore;
  readonly faults: FaultQueue;
  readonly counters: EmulatorCounters;
  readonly signer: IdTokenSigner;
  readonly maxBodyBytes: number;
  /** Delayed responses: their timers and how to wake them, so close() can end them. */
  readonly delays: Map<NodeJS.Timeout, () => void>;
  lastAuthorize: Record<string, string> | null;
  /** The person's linked identities and current session. */
  readonly session: PersonSession;
  /** What the person consented to, per client (dependent consents included). */
  readonly consents: ConsentForest;
  resourcePolicy: ResourcePolicy;
  /** The emulator's clock: whole seconds, clock offset included. */
  now(): number;
  /** Stop the emulator (used by `POST /_emulator/close`). */
  requestClose(): void;
}

/** Zeroed counters. */
export function emptyCounters(): EmulatorCounters {
  return {
    authorize: 0,
    token: { authorization_code: 0, refresh_token: 0, client_credentials: 0 },
    revoke: 0,
    userinfo: 0,
    resource: 0,
    consents: 0,
  };
}

/** Check an integer option or control value (seconds, bytes). */
export function checkInteger(name: string, value: unknown, min: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > 2 ** 31) {
    throw new TypeError(`${name} must be an integer of at least ${min}`);
  }
  return value;
}

/** Check an autoApprove value. */
export function checkAutoApprove(value: unknown): EmulatorSettings['autoApprove'] {
  if (value === true || value === false || value === 'decline') return value;
  throw new TypeError('autoApprove must be true, false or "decline"');
}

/** The settings from the options, checked. */
export function initialSettings(options: EmulatorOptions): EmulatorSettings {
  const offset = options.clockOffsetSeconds ?? 0;
  return {
    autoApprove: checkAutoApprove(options.autoApprove ?? false),
    tokenLifetimeSeconds: checkInteger(
      'tokenLifetimeSeconds',
      options.tokenLifetimeSeconds ?? DEFAULT_TOKEN_LIFETIME_SECONDS,
      1,
    ),
    codeLifetimeSeconds: checkInteger(
      'codeLifetimeSeconds',
      options.codeLifetimeSeconds ?? DEFAULT_CODE_LIFETIME_SECONDS,
      1,
    ),
    rotateRefreshTokens: options.rotateRefreshTokens === true,
    clockOffsetSeconds: checkInteger('clockOffsetSeconds', offset, -(2 ** 31)),
  };
}

/** The identity from the options over the defaults, checked. */
export function resolveIdentity(given: Partial<EmulatorIdentity> = {}): EmulatorIdentity {
  const identity = { ...DEFAULT_IDENTITY };
  for (const key of Object.keys(DEFAULT_IDENTITY) as (keyof EmulatorIdentity)[]) {
    const value = given[key];
    if (value === undefined) continue;
    if (typeof value !== 'string' || value === '') {
      throw new TypeError(`identity.${key} must be a non-empty string`);
    }
    identity[key] = value;
  }
  if (!isUuid(identity.sub)) throw new TypeError('identity.sub must be a UUID');
  return identity;
}

/** Build the context of a new emulator. */
export function createContext(parts: {
  baseUrl: string;
  options: EmulatorOptions;
  signer: IdTokenSigner;
  requestClose: () => void;
}): EmulatorContext {
  const { options } = parts;
  const settings = initialSettings(options);
  const clock = options.now ?? (() => Date.now() / 1000);
  checkOptions(options);
  const identity = Object.freeze(resolveIdentity(options.identity));
  const linked = (options.linkedIdentities ?? [DEFAULT_LINKED_IDENTITY]).map((given) =>
    linkedIdentity(resolveIdentity(given)),
  );
  return {
    baseUrl: parts.baseUrl,
    issuer: parts.baseUrl.replace(/\/$/, ''),
    identity,
    settings,
    clientIds: options.clientIds ? new Set(options.clientIds) : null,
    confidentialClients: checkConfidentialClients(options.confidentialClients),
    extraScopes: { ...options.extraScopes },
    store: new TokenStore(),
    faults: new FaultQueue(),
    counters: emptyCounters(),
    signer: parts.signer,
    maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    delays: new Map(),
    lastAuthorize: null,
    session: new PersonSession([linkedIdentity(identity), ...linked]),
    consents: new ConsentForest(),
    resourcePolicy: checkResourcePolicy(options.resourcePolicy ?? {}),
    now: () => Math.floor(clock() + settings.clockOffsetSeconds),
    requestClose: parts.requestClose,
  };
}

/** Refuse options that are not what their types say (callers may be plain JavaScript). */
export function checkOptions(options: EmulatorOptions): void {
  initialSettings(options);
  resolveIdentity(options.identity);
  if (options.clientIds?.some((id) => typeof id !== 'string' || id === '')) {
    throw new TypeError('clientIds must be non-empty strings');
  }
  checkExtraScopes(options.extraScopes ?? {});
  checkConfidentialClients(options.confidentialClients);
  if (options.maxBodyBytes !== undefined) checkInteger('maxBodyBytes', options.maxBodyBytes, 1);
  if (options.linkedIdentities !== undefined && !Array.isArray(options.linkedIdentities))
    throw new TypeError('linkedIdentities must be a list of identities');
  for (const linked of options.linkedIdentities ?? []) resolveIdentity(linked);
  checkResourcePolicy(options.resourcePolicy ?? {});
}

/** Check a scope → resource server map (the option and the control). */
export function checkExtraScopes(scopes: unknown): Record<string, string> {
  if (typeof scopes !== 'object' || scopes === null || Array.isArray(scopes))
    throw new TypeError('extraScopes maps scopes without spaces to resource server names');
  for (const [scope, rs] of Object.entries(scopes)) {
    // `__proto__` would reach the object's prototype through Object.assign.
    if (
      typeof rs !== 'string' ||
      rs === '' ||
      /\s/.test(scope) ||
      scope === '' ||
      scope === '__proto__'
    ) {
      throw new TypeError('extraScopes maps scopes without spaces to resource server names');
    }
  }
  return scopes as Record<string, string>;
}
