/**
 * A protected resource to play GAREs against (`GET|POST /resource/<anything>`), and the
 * consents API (`GET /v2/api/identities/<id>/consents`). The resource answers 200 when the
 * token's resource server is right and the person's session and consents meet its policy,
 * else 403 (or 401) with a Globus Auth Requirements Error saying what the next login needs.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EmulatorContext } from './emulator-context.js';
import type { ResourcePolicy } from './emulator-types.js';
import { BodyError, readBody, sendApiError, sendJson } from './http-helpers.js';
import type { AccessRecord } from './token-store.js';

const BEARER = /^Bearer +([^\s]+) *$/i;
const CHALLENGE = { 'www-authenticate': 'Bearer' };

/** The default resource server of the protected resource. */
export const DEFAULT_RESOURCE_SERVER = 'transfer.api.globus.org';

/** Checks a resource policy from a caller (maybe plain JavaScript or JSON over HTTP). */
export function checkResourcePolicy(input: unknown): ResourcePolicy {
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    throw new TypeError('the resource policy must be an object');
  const p = input as Record<string, unknown>;
  const strings = (key: string) => {
    const v = p[key];
    if (v === undefined) return undefined;
    if (!Array.isArray(v) || !v.every((s) => typeof s === 'string' && s !== ''))
      throw new TypeError(`${key} must be a list of non-empty strings`);
    return v as string[];
  };
  const known = [
    'resourceServer',
    'requiredScopes',
    'mfaWithinSeconds',
    'singleDomain',
    'identity',
    'shape',
    'status',
    'message',
  ];
  for (const key of Object.keys(p))
    if (!known.includes(key)) throw new TypeError(`unknown resource policy field ${key}`);
  strings('requiredScopes');
  strings('singleDomain');
  const mfa = p['mfaWithinSeconds'];
  if (mfa !== undefined && (typeof mfa !== 'number' || !Number.isInteger(mfa) || mfa < 0))
    throw new TypeError('mfaWithinSeconds must be a whole number of seconds');
  if (p['shape'] !== undefined && p['shape'] !== 'current' && p['shape'] !== 'transfer')
    throw new TypeError('shape must be "current" or "transfer"');
  if (p['status'] !== undefined && p['status'] !== 401 && p['status'] !== 403)
    throw new TypeError('status must be 401 or 403');
  for (const key of ['resourceServer', 'identity', 'message'])
    if (p[key] !== undefined && (typeof p[key] !== 'string' || p[key] === ''))
      throw new TypeError(`${key} must be a non-empty string`);
  return structuredClone(p) as ResourcePolicy;
}

/** `GET|POST /resource/…`: 200 `{"ok":true}` or a GARE. */
export async function handleResource(
  req: IncomingMessage,
  res: ServerResponse,
  context: EmulatorContext,
  path: string,
): Promise<void> {
  context.counters.resource += 1;
  const record = await bearerRecord(req, res, context);
  if (!record) return;
  const policy = context.resourcePolicy;
  if (record.resourceServer !== (policy.resourceServer ?? DEFAULT_RESOURCE_SERVER)) {
    sendApiError(res, 403, 'This token is not valid for this resource server');
    return;
  }
  const params = unmet(policy, record, context);
  if (Object.keys(params).length === 0) {
    sendJson(res, 200, { ok: true, path, identity: context.session.current?.identity ?? null });
    return;
  }
  const onlyScopes = Object.keys(params).every((k) => k === 'required_scopes');
  const status = policy.status ?? 403;
  const message = policy.message ?? 'More authorization is needed to use this resource.';
  if (policy.shape === 'transfer' && onlyScopes) {
    sendJson(res, status, {
      code: 'ConsentRequired',
      message,
      request_id: 'emulator',
      required_scopes: params['required_scopes'],
      resource: path,
    });
    return;
  }
  sendJson(res, status, {
    code: onlyScopes ? 'ConsentRequired' : 'AuthorizationRequired',
    authorization_parameters: { session_message: message, ...params },
  });
}

/** The authorization parameters the token's session and consents do not meet yet. */
function unmet(
  policy: ResourcePolicy,
  record: AccessRecord,
  context: EmulatorContext,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const session = context.session.current;
  if (policy.identity !== undefined && session?.identity !== policy.identity)
    out['session_required_identities'] = [policy.identity];
  const domain = session ? context.session.find(session.identity)?.domain : undefined;
  const domains = policy.singleDomain?.map((d) => d.toLowerCase());
  if (domains && (domain === undefined || !domains.includes(domain)))
    out['session_required_single_domain'] = domains;
  if (policy.mfaWithinSeconds !== undefined) {
    const mfaTime = session?.mfaTime ?? null;
    if (mfaTime === null) out['session_required_mfa'] = true;
    else if (context.now() - mfaTime > policy.mfaWithinSeconds) {
      out['session_required_mfa'] = true;
      out['prompt'] = 'login';
    }
  }
  const missing = (policy.requiredScopes ?? []).filter(
    (scope) => !context.consents.covers(record.clientId, context.identity.sub, scope),
  );
  if (missing.length > 0) out['required_scopes'] = missing;
  return out;
}

/** `GET /v2/api/identities/<id>/consents`: the consent forest of that identity. */
export async function handleConsents(
  req: IncomingMessage,
  res: ServerResponse,
  context: EmulatorContext,
  identityId: string,
): Promise<void> {
  context.counters.consents += 1;
  const record = await bearerRecord(req, res, context);
  if (!record) return;
  if (record.resourceServer !== 'auth.globus.org') {
    sendApiError(res, 403, 'This token is not valid for auth.globus.org');
    return;
  }
  if (identityId !== context.identity.sub && !context.session.find(identityId)) {
    sendApiError(res, 403, 'You may only read your own consents');
    return;
  }
  sendJson(res, 200, { consents: context.consents.forIdentity(context.identity.sub) });
}

async function bearerRecord(
  req: IncomingMessage,
  res: ServerResponse,
  context: EmulatorContext,
): Promise<AccessRecord | null> {
  try {
    await readBody(req, context.maxBodyBytes);
  } catch (error) {
    sendApiError(res, error instanceof BodyError ? error.status : 400, 'unreadable body');
    return null;
  }
  const header = req.headers.authorization;
  const token = header === undefined ? undefined : BEARER.exec(header)?.[1];
  const record = token === undefined ? null : context.store.getAccess(token);
  if (!record || record.expiresAt <= context.now()) {
    sendApiError(res, 401, undefined, CHALLENGE);
    return null;
  }
  return record;
}
