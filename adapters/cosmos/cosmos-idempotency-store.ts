// Idempotency keys in Cosmos DB: one small document per (caller, key), partitioned by its own id
// (point reads and writes only, nothing indexed) and deleted by Cosmos TTL after a day.
import { createHash } from 'node:crypto';
import type { Container } from '@azure/cosmos';
import type { IdempotencyClaim, IdempotencyStore, IdempotencyToken, StoredResponse } from '../../application/ports';
import { cosmosStatus } from './cosmos-client';

interface KeyDocument {
  id: string;
  scope: string;
  key: string;
  fingerprint: string;
  resourceId: string;
  state: 'in-progress' | 'completed';
  /** While in progress: after this time (epoch ms) another request may take over. */
  leaseUntil: number;
  /** Epoch ms; the record is ignored afterwards even if TTL has not removed it yet. */
  expiresAt: number;
  response?: StoredResponse;
  ttl: number;
  _etag?: string;
}

export interface IdempotencyOptions {
  /** How long a key is remembered (seconds); also the document TTL. */
  retentionSeconds: number;
  /** How long an unfinished request holds its key before a retry may take over (ms). */
  leaseMs: number;
  now?: () => number;
}

export class CosmosIdempotencyStore implements IdempotencyStore {
  private readonly now: () => number;

  constructor(private readonly container: Container, private readonly options: IdempotencyOptions) {
    this.now = options.now ?? Date.now;
  }

  async claim(scope: string, key: string, fingerprint: string, newResourceId: string): Promise<IdempotencyClaim> {
    // Hashing keeps ids inside Cosmos' id rules (no '/', '\\', '?', '#', at most 255 chars).
    const id = createHash('sha256').update(scope).update('\n').update(key).digest('base64url');
    for (let attempt = 0; attempt < 3; attempt++) {
      const now = this.now();
      const fresh: KeyDocument = {
        id, scope, key, fingerprint, resourceId: newResourceId, state: 'in-progress',
        leaseUntil: now + this.options.leaseMs,
        expiresAt: now + this.options.retentionSeconds * 1000,
        ttl: this.options.retentionSeconds,
      };
      try {
        const { resource } = await this.container.items.create(fresh);
        return { kind: 'owner', resourceId: newResourceId, token: { id, etag: resource!._etag, record: fresh } };
      } catch (err) {
        if (cosmosStatus(err) !== 409) throw err;
      }
      const existing = await this.read(id);
      if (!existing) continue; // expired and removed in between: claim again
      if (existing.expiresAt <= now) {
        await this.remove({ id, etag: existing._etag!, record: existing });
        continue;
      }
      if (existing.fingerprint !== fingerprint) return { kind: 'mismatch' };
      if (existing.state === 'completed' && existing.response) return { kind: 'replay', response: existing.response };
      if (existing.leaseUntil > now) return { kind: 'in-progress', retryAfterSeconds: Math.max(1, Math.ceil((existing.leaseUntil - now) / 1000)) };
      // The owner died or gave up mid-way: take over, keeping its resource id so no second
      // resource is created.
      try {
        const taken: KeyDocument = { ...existing, leaseUntil: now + this.options.leaseMs };
        const { resource } = await this.container.item(id, id).replace(taken, { accessCondition: { type: 'IfMatch', condition: existing._etag! } });
        return { kind: 'owner', resourceId: existing.resourceId, token: { id, etag: resource!._etag, record: taken } };
      } catch (err) {
        if (cosmosStatus(err) !== 412) throw err;
        return { kind: 'in-progress', retryAfterSeconds: 1 };
      }
    }
    throw new Error('idempotency key could not be claimed');
  }

  async complete(token: IdempotencyToken, response: StoredResponse): Promise<void> {
    const record = token.record as KeyDocument;
    try {
      await this.container
        .item(token.id, token.id)
        .replace({ ...record, state: 'completed', response }, { accessCondition: { type: 'IfMatch', condition: token.etag } });
    } catch (err) {
      // 412: our lease ran out and a retry took the key over; it works on the same resource id
      // and records the same outcome, so this response stays valid.
      if (cosmosStatus(err) !== 412) throw err;
    }
  }

  async release(token: IdempotencyToken): Promise<void> {
    await this.remove(token);
  }

  private async remove(token: IdempotencyToken): Promise<void> {
    try {
      await this.container.item(token.id, token.id).delete({ accessCondition: { type: 'IfMatch', condition: token.etag } });
    } catch (err) {
      const status = cosmosStatus(err);
      if (status !== 404 && status !== 412) throw err;
    }
  }

  private async read(id: string): Promise<KeyDocument | undefined> {
    try {
      const { resource } = await this.container.item(id, id).read<KeyDocument>();
      return resource;
    } catch (err) {
      if (cosmosStatus(err) === 404) return undefined;
      throw err;
    }
  }
}
