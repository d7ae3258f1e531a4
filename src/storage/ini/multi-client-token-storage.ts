import {
  ConfigParserTokenStorage,
  type ConfigParserTokenStorageOptions,
} from './config-parser-token-storage.js';

/** Options of `MultiClientTokenStorage`. */
export type MultiClientTokenStorageOptions = Omit<ConfigParserTokenStorageOptions, 'section'> & {
  /** The section (a client id); normally left out and set by NativeClient via `setClientId`. */
  section?: string;
};

/**
 * The default storage: one INI file (default `~/.globus-native-apps.cfg`) shared by many
 * apps, one section per client id, byte-compatible with fair-research-login's storage of the
 * same name. The section is set by NativeClient through `setClientId(clientId)`; using the
 * storage before that throws a UsageError.
 */
export class MultiClientTokenStorage extends ConfigParserTokenStorage {
  constructor(options: MultiClientTokenStorageOptions = {}) {
    super(options);
    this.useSection(options.section);
  }

  /** Selects the section of this client id (fair-research-login's `set_client_id`). */
  setClientId(clientId: string): void {
    this.useSection(clientId);
  }
}
