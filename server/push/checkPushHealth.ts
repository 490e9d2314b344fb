/**
 * The daily check that each phone's push still works. A phone whose last receipt (a sign-in
 * request's, or the last check's answer) is older than `checkAfterMs` gets a `push_health_check`;
 * its service worker shows a quiet notice and answers, which counts as a receipt. A check still
 * unanswered after `answerWithinMs` marks the device `unreachable`: the app and My Sign-ins then
 * say "notifications aren't reaching this phone — open the app to fix", and the admin sees it.
 * A push service that answers 404/410 gets the subscription removed at once, as for any push.
 *
 * Worst case from a subscription dying (just after a receipt) to the flag: checkAfterMs + the
 * interval (the check goes out) + answerWithinMs + the interval (nobody answered) = 24 h.
 */
import type { PushPayload } from '../../shared/schemas/devices';
import { recordAudit } from '../audit/recordAudit';
import type { RelayContext } from '../context';

export const pushHealth = {
  /** How often each relay looks (several relays: each device still gets one check). */
  intervalMs: 60 * 60_000,
  /** No receipt for this long: send a check. */
  checkAfterMs: 20 * 60 * 60_000,
  /** A check unanswered this long: the device is unreachable. Also the check's push TTL. */
  answerWithinMs: 2 * 60 * 60_000,
} as const;

const BATCH = 100;

/** One round: flag the devices whose check went unanswered, then send the checks that are due. */
export async function checkPushHealth(ctx: RelayContext): Promise<{ checked: number; flagged: string[] }> {
  const now = ctx.now();
  const flagged = await ctx.storage.devices.flagUnansweredHealthChecks(now - pushHealth.answerWithinMs);
  for (const device of flagged) {
    ctx.log.info({ deviceId: device.id, healthCheckSentAt: device.healthCheckSentAt }, 'push health check unanswered; device unreachable');
    await recordAudit(ctx, {
      tenantId: device.tenantId,
      type: 'device.push_unreachable',
      outcome: 'unreachable',
      reason: 'the daily push health check was not answered',
      deviceId: device.id,
      detail: { lastReceiptAt: device.lastReceiptAt, healthCheckSentAt: device.healthCheckSentAt },
    });
  }
  let checked = 0;
  for (;;) {
    const due = await ctx.storage.devices.dueForHealthCheck(now - pushHealth.checkAfterMs, BATCH);
    for (const device of due) {
      // Another relay may have sent this one's check since the read.
      if (!device.pushSubscription || !(await ctx.storage.devices.startHealthCheck(device.id, now))) continue;
      const payload: PushPayload = { type: 'push_health_check', deviceId: device.id };
      const result = await ctx.push.send(device.pushSubscription, JSON.stringify(payload), {
        ttlSeconds: pushHealth.answerWithinMs / 1000,
        // A newer check replaces one still queued for an offline phone.
        topic: `health:${device.id}`,
        urgency: 'normal',
      });
      if (result.outcome === 'gone') {
        await ctx.storage.devices.setPush(device.id, null, 'unreachable');
        ctx.log.info({ deviceId: device.id, status: result.status }, 'push subscription gone; removed');
      }
      checked++;
    }
    if (due.length < BATCH) return { checked, flagged: flagged.map((d) => d.id) };
  }
}
