/**
 * The Globus Auth Requirements Error (GARE) shape, with Globus's own JSON field names so a
 * GARE can be passed on unchanged. Types only: errors.ts imports them, so this file imports
 * nothing.
 */

/** What the next login must satisfy; every field optional, unknown fields kept. */
export type GareAuthorizationParameters = {
  session_message?: string;
  session_required_identities?: string[];
  session_required_policies?: string[];
  session_required_single_domain?: string[];
  session_required_mfa?: boolean;
  required_scopes?: string[];
  prompt?: string;
  [field: string]: unknown;
};

/** A GARE in its current shape (legacy shapes are normalised to it by parseGare). */
export type Gare = {
  code: string;
  authorization_parameters: GareAuthorizationParameters;
  [field: string]: unknown;
};
