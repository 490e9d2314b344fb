import { randomInt } from 'node:crypto';
import type { z } from 'zod';
import type { TemporaryAccessPassIssued, temporaryAccessPassIssue } from '../../shared/schemas/enrollment';
import { recordAudit } from '../audit/recordAudit';
import type { RelayContext } from '../context';
import { hashSecret, newId } from '../ids';
import type { Tenant, User } from '../storage/model';

// No 0/O, 1/I/l: a pass is read off a screen and typed on a phone.
const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';

/** 16 characters from 57: about 93 bits, far beyond guessing. */
function newTemporaryAccessPass(length = 16): string {
  let pass = '';
  for (let i = 0; i < length; i++) pass += alphabet[randomInt(alphabet.length)];
  return pass;
}

/**
 * Issue a Temporary Access Pass. It is shown once and stored as a hash; issuing a new one
 * revokes the user's old pass in the same transaction, so at most one is ever usable.
 */
export async function issueTemporaryAccessPass(
  ctx: RelayContext,
  tenant: Tenant,
  user: User,
  options: z.output<typeof temporaryAccessPassIssue>,
  /** The admin token that issued it, for the audit log of admin changes. */
  adminToken?: string,
): Promise<TemporaryAccessPassIssued> {
  const pass = newTemporaryAccessPass();
  const now = ctx.now();
  const expiresAt = now + options.lifetimeMinutes * 60_000;
  const id = newId();
  await ctx.storage.temporaryAccessPasses.replace({
    id,
    tenantId: tenant.id,
    userId: user.id,
    secretHash: hashSecret(pass),
    oneTime: options.oneTime,
    createdAt: now,
    expiresAt,
    usedAt: null,
    revokedAt: null,
  });
  await recordAudit(ctx, {
    tenantId: tenant.id,
    type: 'temporary_access_pass.issued',
    outcome: 'success',
    userId: user.id,
    username: user.username,
    detail: { passId: id, lifetimeMinutes: options.lifetimeMinutes, oneTime: options.oneTime, ...(adminToken ? { adminToken } : {}) },
  });
  return { id, temporaryAccessPass: pass, expiresAt: new Date(expiresAt).toISOString(), oneTime: options.oneTime };
}
