/**
 * oidc-provider v9 ships no TypeScript types (and @types/oidc-provider is not installed):
 * this declares the small part of its API the peer tests use.
 */
declare module 'oidc-provider' {
  import type { IncomingMessage, ServerResponse } from 'node:http';

  type Awaitable<T> = T | Promise<T>;

  /** The Koa context oidc-provider passes to its hooks (only what the tests read). */
  export type ProviderContext = {
    oidc: { params?: Record<string, unknown> };
  };

  /** A registered client, as hooks see it. */
  export type ProviderClient = {
    clientId: string;
    grantTypeAllowed(type: string): boolean;
  };

  /** A token or code as hooks see it; for opaque tokens `jti` is the token value. */
  export type ProviderToken = { jti: string; clientId: string; kind: string };

  export type InteractionDetails = {
    uid: string;
    params: Record<string, unknown>;
    prompt: { name: string; details: Record<string, unknown> };
    grantId?: string;
  };

  export type InteractionResults = Record<string, unknown>;

  export class Grant {
    constructor(properties: { accountId: string; clientId: string });
    static find(id: string): Promise<Grant | undefined>;
    addOIDCScope(scope: string): void;
    save(): Promise<string>;
  }

  /** A stored token model instance (only what the tests use). */
  export type StoredToken = { destroy(): Promise<void> };

  export type Configuration = Record<string, unknown> & {
    findAccount?: (
      ctx: ProviderContext,
      sub: string,
    ) => Awaitable<{ accountId: string; claims: () => Awaitable<Record<string, unknown>> }>;
    issueRefreshToken?: (
      ctx: ProviderContext,
      client: ProviderClient,
      code: ProviderToken,
    ) => Awaitable<boolean>;
  };

  export class Provider {
    constructor(issuer: string, configuration?: Configuration);
    readonly issuer: string;
    readonly Grant: typeof Grant;
    readonly AccessToken: { find(value: string): Promise<StoredToken | undefined> };
    readonly ClientCredentials: { find(value: string): Promise<StoredToken | undefined> };
    callback(): (req: IncomingMessage, res: ServerResponse) => void;
    on(
      event: 'authorization.success',
      listener: (ctx: ProviderContext, out: Record<string, unknown>) => void,
    ): this;
    on(event: string, listener: (...args: unknown[]) => void): this;
    interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<InteractionDetails>;
    interactionFinished(
      req: IncomingMessage,
      res: ServerResponse,
      result: InteractionResults,
      options?: { mergeWithLastSubmission?: boolean },
    ): Promise<void>;
  }
}
