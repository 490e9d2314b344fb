import type { RelayContext } from '../context';
import { type AuditInput, auditEvent } from './auditEvent';

export type { AuditInput };

/** Append one event to the tenant's audit log. Secrets never go in: only ids, outcomes and reasons. */
export async function recordAudit(ctx: RelayContext, input: AuditInput): Promise<void> {
  await ctx.storage.audit.append(auditEvent(ctx, input));
}
