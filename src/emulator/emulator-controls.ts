/**
 * The test controls, shared by the Emulator object's methods and the `/_emulator/` HTTP
 * routes so both surfaces behave the same. Every setter checks its input and throws a
 * TypeError on a bad one (the HTTP routes turn that into a 400).
 */

import { checkClient } from './client-credentials.js';
import {
  checkAutoApprove,
  checkExtraScopes,
  checkInteger,
  type EmulatorContext,
  emptyCounters,
} from './emulator-context.js';
import type { Emulator, EmulatorSettings } from './emulator-types.js';
import { checkResourcePolicy } from './resource-routes.js';

/** The control methods of an Emulator. */
export type EmulatorControls = Omit<
  Emulator,
  'url' | 'issuer' | 'host' | 'port' | 'identity' | 'closed' | 'close'
>;

const SETTING_KEYS: readonly (keyof EmulatorSettings)[] = [
  'autoApprove',
  'tokenLifetimeSeconds',
  'codeLifetimeSeconds',
  'rotateRefreshTokens',
  'clockOffsetSeconds',
];

/** Check a partial settings object without applying it. */
export function checkSettings(input: unknown): Partial<EmulatorSettings> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new TypeError('settings must be an object');
  }
  const out: Partial<EmulatorSettings> = {};
  for (const [key, value] of Object.entries(input)) {
    switch (key) {
      case 'autoApprove':
        out.autoApprove = checkAutoApprove(value);
        break;
      case 'tokenLifetimeSeconds':
      case 'codeLifetimeSeconds':
        out[key] = checkInteger(key, value, 1);
        break;
      case 'clockOffsetSeconds':
        out.clockOffsetSeconds = checkInteger(key, value, -(2 ** 31));
        break;
      case 'rotateRefreshTokens':
        if (typeof value !== 'boolean') throw new TypeError('rotateRefreshTokens is a boolean');
        out.rotateRefreshTokens = value;
        break;
      default:
        throw new TypeError(`unknown setting ${JSON.stringify(key)}; known: ${SETTING_KEYS}`);
    }
  }
  return out;
}

/** The controls of the emulator behind `context`. */
export function createControls(context: EmulatorContext): EmulatorControls {
  const { settings } = context;
  const update = (partial: unknown): EmulatorSettings => {
    Object.assign(settings, checkSettings(partial));
    return { ...settings };
  };
  return {
    updateSettings: update,
    settings: () => ({ ...settings }),
    setAutoApprove: (value) => void update({ autoApprove: value }),
    setTokenLifetime: (seconds) => void update({ tokenLifetimeSeconds: seconds }),
    setRotateRefreshTokens: (on) => void update({ rotateRefreshTokens: on }),
    setClockOffset: (seconds) => void update({ clockOffsetSeconds: seconds }),
    registerConfidentialClient: (clientId, secret) => {
      context.confidentialClients.set(...checkClient(clientId, secret));
    },
    injectFault: (fault, count = 1) => context.faults.add(fault, count),
    clearFaults: () => context.faults.clear(),
    pendingFaults: () => context.faults.pending(),
    counters: () => structuredClone(context.counters),
    resetCounters: () => {
      Object.assign(context.counters, emptyCounters());
    },
    revokeAll: () => context.store.revokeAll(),
    expireAccessTokens: () => context.store.expireAccessTokens(context.now()),
    lastAuthorizeRequest: () => (context.lastAuthorize ? { ...context.lastAuthorize } : null),
    publicJwk: () => ({ ...context.signer.publicJwk }),
    setResourcePolicy: (policy) => {
      context.resourcePolicy = checkResourcePolicy(policy);
    },
    resourcePolicy: () => structuredClone(context.resourcePolicy),
    session: () => (context.session.current ? { ...context.session.current } : null),
    consents: () => context.consents.forIdentity(context.identity.sub),
    clearConsents: () => context.consents.clear(),
    registerScopes: (scopes) => {
      Object.assign(context.extraScopes, checkExtraScopes(scopes));
    },
  };
}
