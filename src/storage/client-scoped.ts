/**
 * The server storages whose namespace NativeClient sets to its client id. They mark
 * themselves when built, so NativeClient recognises them without `instanceof`, which would
 * make loading the client load their code too (the CLI's refresh path, bench/ (b)).
 */
const scoped = new WeakSet<object>();

/** A storage NativeClient gives its client id to. */
export type ClientScoped = { setClientId(clientId: string): void };

/** Called by the constructor of a storage that wants NativeClient's client id. */
export function markClientScoped(storage: ClientScoped): void {
  scoped.add(storage);
}

/** Whether `storage` asked for NativeClient's client id. */
export function isClientScoped(storage: object): storage is ClientScoped {
  return scoped.has(storage);
}
