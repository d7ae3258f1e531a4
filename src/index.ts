/**
 * native-login: log in to Globus Auth from Node.js with the native-app flow (PKCE), keep the
 * tokens safe, refresh them, hand out Authorization headers, log out. Named exports only.
 */

export { AccessTokenAuthorizer } from './authorizers/access-token-authorizer.js';
export type {
  AuthorizationRequiredHandler,
  Authorizer,
  AuthorizerOptions,
} from './authorizers/authorizer.js';
export {
  ClientCredentialsAuthorizer,
  type ClientCredentialsAuthorizerOptions,
} from './authorizers/client-credentials-authorizer.js';
export {
  RefreshTokenAuthorizer,
  type RefreshTokenAuthorizerOptions,
} from './authorizers/refresh-token-authorizer.js';
export {
  ClientCredentialsClient,
  type ClientCredentialsClientOptions,
} from './client-credentials/client-credentials-client.js';
export { CLIENT_SECRET_ENV } from './client-credentials/client-secret.js';
export type {
  AuthenticateRequest,
  AuthorizationResponse,
  CodeHandler,
  CodeHandlerContext,
} from './code-handlers/code-handler.js';
export { InputCodeHandler } from './code-handlers/input-code-handler.js';
export { LocalServerCodeHandler } from './code-handlers/local-server-code-handler.js';
export type { InterruptSource } from './code-handlers/run-code-handlers.js';
export * from './errors.js';
export type { Gare, GareAuthorizationParameters } from './gare/gare-types.js';
export { describeRequirements, requirementsInWords } from './gare/gare-words.js';
export { parseGare } from './gare/parse-gare.js';
export { type AuthorizeUrlParams, buildAuthorizeUrl } from './globus-auth/authorize-url.js';
export { AUTH_ENVIRONMENTS, resolveAuthBaseUrl } from './globus-auth/environments.js';
export {
  type CallOptions,
  type ExchangeCodeResult,
  GlobusAuthClient,
  type GlobusAuthClientOptions,
} from './globus-auth/globus-auth-client.js';
export type { IdTokenClaims } from './globus-auth/id-token.js';
export { createPkcePair, createState } from './globus-auth/pkce.js';
export {
  DEFAULT_SCOPES,
  type Logger,
  type LoginOptions,
  type LogoutResult,
  NativeClient,
  type NativeClientOptions,
  type QueryParams,
} from './native-client.js';
export { globusAppLoginNotes } from './storage/globus-app/globus-app-entries.js';
export {
  DEFAULT_NAMESPACE,
  GLOBUS_APP_FORMAT_VERSION,
} from './storage/globus-app/globus-app-format.js';
export {
  type GlobusAppPathOptions,
  globusAppTokenPath,
  slugifyAppName,
} from './storage/globus-app/globus-app-paths.js';
export {
  GlobusAppTokenStorage,
  type GlobusAppTokenStorageOptions,
} from './storage/globus-app/globus-app-token-storage.js';
export { ConfigParserTokenStorage } from './storage/ini/config-parser-token-storage.js';
export { MultiClientTokenStorage } from './storage/ini/multi-client-token-storage.js';
export { JSONTokenStorage } from './storage/json-token-storage.js';
export {
  KeyringTokenStorage,
  type KeyringTokenStorageOptions,
} from './storage/keyring/keyring-token-storage.js';
export { MemoryTokenStorage } from './storage/memory-token-storage.js';
export {
  type PgPoolLike,
  PostgresTokenStorage,
  type PostgresTokenStorageOptions,
} from './storage/server/postgres-token-storage.js';
export {
  type RedisClientLike,
  RedisTokenStorage,
  type RedisTokenStorageOptions,
} from './storage/server/redis-token-storage.js';
export type { MaybePromise, TokenStorage } from './storage/token-storage.js';
export { parseScopes } from './tokens/scopes.js';
export type { TokenGroup, TokensByResourceServer } from './tokens/token-group.js';
export { validateTokenGroup, validateTokens } from './tokens/token-group.js';
export { parseTokenResponse } from './tokens/token-response.js';
