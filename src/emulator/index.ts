/**
 * `native-login/emulator`: a local Globus Auth for tests and demos, speaking the wire
 * protocol of GLOBUS-AUTH.md. It imports nothing from the client side of native-login.
 */
export { DECLINED_DESCRIPTION } from './authorize-routes.js';
export type { ConsentRecord } from './consent-forest.js';
export {
  DEFAULT_CODE_LIFETIME_SECONDS,
  DEFAULT_IDENTITY,
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_TOKEN_LIFETIME_SECONDS,
} from './emulator-context.js';
export type {
  AutoApprove,
  Emulator,
  EmulatorCounters,
  EmulatorFault,
  EmulatorFaultKind,
  EmulatorIdentity,
  EmulatorOptions,
  EmulatorSettings,
  ResourcePolicy,
} from './emulator-types.js';
export { atHash } from './id-token.js';
export { DEFAULT_RESOURCE_SERVER } from './resource-routes.js';
export { isKnownScope, resourceServerOf } from './scope-table.js';
export { DEFAULT_LINKED_IDENTITY, type SessionInfo } from './session-state.js';
export { isLoopbackHost, startEmulator } from './start-emulator.js';
