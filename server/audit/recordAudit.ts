import type { RelayContext } from '../context';
import { newId } from '../ids';
import type { AuditEvent } from '../storage/model';

export type AuditInput = Pick<AuditEvent, 'tenantId' | 'type' | 'outcome'> & Partial<Omit<AuditEvent, 'id' | 'at'>>;

/** Append one event to the tenant's audit log. Secrets never go in: only ids, outcomes and reasons. */
export async function recordAudit(ctx: RelayContext, input: AuditInput): Promise<void> {
  await ctx.storage.audit.append({
    id: newId(),
    at: ctx.now(),
    reason: null,
    userId: null,
    username: null,
    deviceId: null,
    method: null,
    origin: null,
    ip: null,
    userAgent: null,
    detail: null,
    ...input,
  });
}
