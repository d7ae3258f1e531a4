/**
 * What each person has consented to, per client, as Globus Auth keeps it: a forest whose
 * roots are the scopes a client asked for and whose children are the dependent scopes
 * (`root[*dependent]`). Served by the consents API (GLOBUS-AUTH.md "Dependent scopes").
 */
import { randomUUID } from 'node:crypto';
import { rootOf, splitScopes } from './scope-table.js';

/** One consent, with the fields of `GET /v2/api/identities/<id>/consents`. */
export interface ConsentRecord {
  id: number;
  dependency_path: number[];
  scope_name: string;
  client: string;
  status: 'approved';
  allows_refresh: boolean;
  effective_identity: string;
  atomically_revocable: boolean;
  auto_approved: boolean;
  created: string;
  updated: string;
  last_used: string;
  scope: string;
}

/** A scope as a tree: `a[*b[c] d]` is a with children b (with child c) and d. */
export interface ScopeTree {
  scope: string;
  dependents: ScopeTree[];
}

/** Parses one top-level scope into its tree (optional markers `*` dropped). */
export function scopeTree(scope: string): ScopeTree {
  const plain = scope.startsWith('*') ? scope.slice(1) : scope;
  const bracket = plain.indexOf('[');
  if (bracket === -1 || !plain.endsWith(']')) return { scope: plain, dependents: [] };
  const inner = splitScopes(plain.slice(bracket + 1, -1));
  return {
    scope: rootOf(plain),
    dependents: inner.ok ? inner.scopes.map(scopeTree) : [],
  };
}

/** Every consent the emulator has recorded. */
export class ConsentForest {
  private readonly records: ConsentRecord[] = [];
  private nextId = 142_632;

  /** Records consent to `scopes` (with their dependents) by `identity` for `client`. */
  grant(client: string, identity: string, scopes: readonly string[], now: number): void {
    for (const scope of scopes) this.add(client, identity, scopeTree(scope), [], now);
  }

  /** Whether the consents of `identity` for `client` cover the scope and all its dependents. */
  covers(client: string, identity: string, scope: string): boolean {
    return this.coversTree(client, identity, scopeTree(scope), []);
  }

  /** The consents of one identity, for every client, in the order given. */
  forIdentity(identity: string): ConsentRecord[] {
    return this.records.filter((r) => r.effective_identity === identity).map((r) => ({ ...r }));
  }

  /** Forget every consent (the person revoked them all at app.globus.org). */
  clear(): void {
    this.records.length = 0;
  }

  private find(client: string, identity: string, scope: string, parent: number[]) {
    return this.records.find(
      (r) =>
        r.client === client &&
        r.effective_identity === identity &&
        r.scope_name === scope &&
        r.dependency_path.length === parent.length + 1 &&
        parent.every((id, i) => r.dependency_path[i] === id),
    );
  }

  private coversTree(client: string, identity: string, tree: ScopeTree, parent: number[]): boolean {
    const node = this.find(client, identity, tree.scope, parent);
    if (!node) return false;
    return tree.dependents.every((d) => this.coversTree(client, identity, d, node.dependency_path));
  }

  private add(client: string, identity: string, tree: ScopeTree, parent: number[], now: number) {
    let node = this.find(client, identity, tree.scope, parent);
    const when = new Date(now * 1000).toISOString();
    if (!node) {
      const id = this.nextId;
      this.nextId += 1;
      node = {
        id,
        dependency_path: [...parent, id],
        scope_name: tree.scope,
        client,
        status: 'approved',
        allows_refresh: true,
        effective_identity: identity,
        atomically_revocable: false,
        auto_approved: false,
        created: when,
        updated: when,
        last_used: when,
        scope: randomUUID(),
      };
      this.records.push(node);
    }
    node.last_used = when;
    for (const dependent of tree.dependents)
      this.add(client, identity, dependent, node.dependency_path, now);
  }
}
