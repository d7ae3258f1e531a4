/**
 * `native-login/emulator`: a local Globus Auth for tests and demos, speaking the wire
 * protocol of GLOBUS-AUTH.md. It imports nothing from the client side of native-login.
 */
export { DECLINED_DESCRIPTION } from './authorize-routes.js';
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
} from './emulator-types.js';
export { atHash } from './id-token.js';
export { resourceServerOf } from './scope-table.js';
export { isLoopbackHost, startEmulator } from './start-emulator.js';
