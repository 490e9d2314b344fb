import type { RelayContext } from '../context';
import { newId } from '../ids';
import type { AuditEvent } from '../storage/model';

export type AuditInput = Pick<AuditEvent, 'tenantId' | 'type' | 'outcome'> & Partial<Omit<AuditEvent, 'id' | 'at'>>;

/**
 * One audit event, complete, to store now or with the change it records (a storage method that
 * takes an audit event writes both in one transaction). Secrets never go in: only ids, outcomes
 * and reasons.
 */
export function auditEvent(ctx: Pick<RelayContext, 'now'> & Partial<Pick<RelayContext, 'locator'>>, input: AuditInput): AuditEvent {
  return {
    // Where the address was when it was used, kept with it: a later database may place it elsewhere.
    location: input.ip && ctx.locator ? ctx.locator.locate(input.ip) : null,
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
  };
}
