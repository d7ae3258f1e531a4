/**
 * The browser session of the person the emulator logs in: which of their linked identities
 * authenticated, when, and with or without MFA. A login's session parameters
 * (`session_required_*`, `prompt=login`) decide what the next authentication must be.
 */
import type { EmulatorIdentity } from './emulator-types.js';

/** One identity linked to the person (the primary one is the emulator's `identity`). */
export interface LinkedIdentity {
  sub: string;
  username: string;
  /** The part of the username after `@`: what `session_required_single_domain` matches. */
  domain: string;
}

/** The current authentication, or null before the first login. */
export interface SessionInfo {
  identity: string;
  authTime: number;
  /** When MFA was last done in this session, or null. */
  mfaTime: number | null;
}

/** What a person chose on the consent page (or what auto-approve chooses for them). */
export interface SessionChoice {
  identity?: string | undefined;
  mfa?: boolean | undefined;
}

/** The second identity linked by default: another domain, so domain requirements can be met. */
export const DEFAULT_LINKED_IDENTITY: Readonly<EmulatorIdentity> = Object.freeze({
  sub: '7c3e9a51-2b8d-4f6e-a1c0-9d8e7f6a5b4c',
  name: 'Ada Lovelace',
  email: 'ada@uni.example',
  preferred_username: 'ada@uni.example',
  organization: 'University of Examples',
  identity_provider: '0a7b1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d',
  identity_provider_display_name: 'University of Examples',
});

/** A linked identity from an emulator identity. */
export function linkedIdentity(identity: Pick<EmulatorIdentity, 'sub' | 'preferred_username'>) {
  const at = identity.preferred_username.lastIndexOf('@');
  return {
    sub: identity.sub,
    username: identity.preferred_username,
    domain: at === -1 ? '' : identity.preferred_username.slice(at + 1).toLowerCase(),
  };
}

/** The session parameters of an authorize request, read back from the query. */
export interface SessionRequest {
  identities: string[];
  domains: string[];
  mfa: boolean;
  promptLogin: boolean;
}

/** Reads the session part of an authorize request (lists comma-separated, mfa any case). */
export function sessionRequest(pairs: ReadonlyArray<readonly [string, string]>): SessionRequest {
  const get = (key: string) => pairs.find(([k]) => k === key)?.[1] ?? '';
  const list = (key: string) =>
    get(key)
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  return {
    identities: list('session_required_identities'),
    domains: list('session_required_single_domain').map((d) => d.toLowerCase()),
    mfa: get('session_required_mfa').toLowerCase() === 'true',
    promptLogin: get('prompt') === 'login',
  };
}

/** The person's session and linked identities. */
export class PersonSession {
  current: SessionInfo | null = null;
  readonly identities: readonly LinkedIdentity[];

  constructor(identities: readonly LinkedIdentity[]) {
    this.identities = identities;
  }

  /** The identity a cooperative person picks for these requirements. */
  defaultChoice(request: SessionRequest): string {
    const linked = (sub: string) => this.identities.some((i) => i.sub === sub);
    const wanted = request.identities.find(linked);
    if (wanted) return wanted;
    const inDomain = this.identities.find((i) => request.domains.includes(i.domain));
    if (inDomain) return inDomain.sub;
    return this.current?.identity ?? this.identities[0]?.sub ?? '';
  }

  /**
   * Authenticates as the person chose: a fresh authentication when there was none, when
   * `prompt=login`, when the identity changes or when MFA is done now; otherwise the session
   * stays as it was (Globus reuses a session that meets the request).
   */
  authenticate(request: SessionRequest, choice: SessionChoice, now: number): SessionInfo {
    const identity =
      choice.identity && this.identities.some((i) => i.sub === choice.identity)
        ? choice.identity
        : this.defaultChoice(request);
    const mfa = choice.mfa ?? request.mfa;
    const previous = this.current;
    const fresh =
      previous === null || request.promptLogin || previous.identity !== identity || mfa === true;
    if (fresh) {
      const keepMfa = previous !== null && previous.identity === identity && !request.promptLogin;
      this.current = {
        identity,
        authTime: now,
        mfaTime: mfa ? now : keepMfa ? previous.mfaTime : null,
      };
    }
    return { ...(this.current as SessionInfo) };
  }

  /** The linked identity with this id, if any. */
  find(sub: string): LinkedIdentity | undefined {
    return this.identities.find((i) => i.sub === sub);
  }
}
