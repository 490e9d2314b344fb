import { noSuchTenant } from '../../tenants/requireTenant';
import { randomBytes, randomInt } from 'node:crypto';
import { numberMatching } from '../../../shared/constants';
import type { z } from 'zod';
import type { SignInRequestCreated, SiteCheck, signInRequestCreate } from '../../../shared/schemas/signInRequests';
import { auditEvent } from '../../audit/auditEvent';
import { recordAudit } from '../../audit/recordAudit';
import type { RelayContext } from '../../context';
import { ProblemError } from '../../http/problem';
import { hashSecret, newId } from '../../ids';
import { allowsPhoneSignIn, allowsPushMfa, evaluatePolicy } from '../../policy/evaluatePolicy';
import type { Device, SignInRequest, Tenant, User } from '../../storage/model';
import { redeemTemporaryAccessPass } from '../../tap/redeemTemporaryAccessPass';
import { applicationOfInteraction } from '../../oidc/applicationOfInteraction';
import { isSignInOrigin, signInOriginsOf } from '../../tenants/signInOrigins';
import { guardSecret } from '../../limits/guardSecret';
import { limitSources, type LimitSources } from '../../limits/limitSources';
import { limitsFor } from '../../limits/limitsFor';
import { checkPassword } from '../../limits/checkPassword';
import { admitPush } from '../../limits/pushBudget';
import type { FatigueLimits } from '../../../shared/schemas/policy';
import type { CallerInfo } from '../callerInfo';
import { deliveryTargets } from '../methods/deliveryTargets';
import { offeredToEveryone, signInMethodsFor } from '../methods/signInMethodsFor';
import { closeSignInRequest } from './closeSignInRequest';
import { describeForPhone } from './describeForPhone';
import { offerToPhones } from './offerToPhones';

export interface CreateOptions extends CallerInfo {
  /** A stable per-browser value: a new request supersedes this browser's older pending one. */
  collectorKey?: string;
  /** The `Origin` header the HTTP call carried, when a browser made it. */
  callOrigin?: string;
  /** The browser (extension) whose key signed the call, if any. */
  browser?: Device;
  /** That browser's signed statement (the call's device-signed Authorization header): evidence for the audit. */
  browserStatement?: string;
}

/**
 * Start a sign-in: journey 3 (passwordless) or 4 (push MFA after a first factor). The answer has
 * the same shape for every username; users who cannot be signed in this way get a request that
 * is stored like any other but never delivered, so it simply never gets approved.
 */
export async function createSignInRequest(
  ctx: RelayContext,
  tenantName: string,
  body: z.output<typeof signInRequestCreate>,
  options: CreateOptions,
): Promise<SignInRequestCreated> {
  // The tenant, the user, the policy, and the user's groups and registrations with their devices (the push subscriptions a
  // delivery needs), in one read: the same read for a name that is no user.
  const { tenant, user, policy, groupIds, registrations: owned } = await ctx.storage.signInRequests.subjectFor(tenantName, body.username);
  if (!tenant) throw noSuchTenant(tenantName);
  const pageOrigin = options.callOrigin && !/^(chrome|moz)-extension:/.test(options.callOrigin) ? options.callOrigin : undefined;
  // A browser page can only speak for its own origin (extensions broker with their own key).
  if (pageOrigin && pageOrigin !== body.origin) {
    throw new ProblemError('validation_failed', 'origin must be the origin of the page making the call', {
      errors: [{ field: 'origin', message: 'does not match the Origin header' }],
    });
  }
  const now = ctx.now();
  const browserRegistered = options.browser && user ? await ctx.storage.devices.browserRegisteredFor(options.browser.id, user.id) : false;
  // A browser (its key signed the origin it observed) or a browser page (its Origin header) on a site that
  // is not one of the tenant's: someone relays this tenant's sign-in from elsewhere. Refused before any push,
  // the same way for every username.
  if ((options.browser || pageOrigin) && !isSignInOrigin(ctx, tenant, body.origin)) {
    await refusePhishing(ctx, tenant, body, options, { user, browserRegistered });
  }
  const siteCheck: SiteCheck = options.browser ? (browserRegistered ? 'browser' : 'unchecked') : pageOrigin ? 'relay' : 'unchecked';
  const subjectId = user?.id ?? 'decoy';
  const registrations = owned.map((o) => o.registration);
  const decision = evaluatePolicy(policy, { id: subjectId }, groupIds);

  const limits = limitsFor(policy);
  const who = limitSources(
    ctx,
    tenant,
    user,
    options,
    options.browser && { device: options.browser, registeredForUser: browserRegistered },
  );
  const firstFactor = body.kind === 'mfa' ? await checkFirstFactor(ctx, tenant, user, body, who, options, limits) : null;

  // Whether this browser already knows the user is real (it gave a first factor, or the user signed in here
  // before): only then may it learn what the user really has and whether a phone got the request. Decided
  // once, here; to any other browser a real user's request and a decoy look alike from start to end.
  const collectorKnown = user !== undefined && (firstFactor !== null || who.known);

  const targets = deliveryTargets(body.kind, owned);
  const mayUse =
    user !== undefined &&
    decision.allowed &&
    user.disabledAt === null &&
    (body.kind === 'passwordless' ? allowsPhoneSignIn(decision.mode) && user.kind === 'member' : allowsPushMfa(decision.mode)) &&
    // Only requests whose site a registered browser observed and signed (bound requests) reach the phone.
    !(body.kind === 'passwordless' && policy?.requireRegisteredBrowser && siteCheck !== 'browser');
  // Budgets and back-off are charged alike for every username, so they tell nothing about who exists.
  const verdict = await admitPush(ctx, tenant, body.username, user, who, options, limits);
  const coolingDown = verdict.outcome === 'cool_down';
  const deliverable = verdict.outcome === 'push' && mayUse && targets.length > 0;

  const applicationName = policy?.showApplicationName === false ? undefined : await applicationNameFor(ctx, tenant, body.client);
  const collectorSecret = randomBytes(32).toString('base64url');
  const request: SignInRequest = {
    id: newId(),
    tenantId: tenant.id,
    userId: user?.id ?? null,
    username: body.username,
    kind: body.kind,
    origin: body.origin,
    context: describeForPhone({
      applicationName,
      showLocation: policy?.showLocation !== false,
      location: ctx.locator.locate(options.ip),
      userAgent: options.userAgent,
      origin: body.origin,
      siteCheck,
      browser: options.browser,
      browserRegistered,
    }),
    number: randomInt(numberMatching.min, numberMatching.max + 1),
    nonce: newId(),
    collectorHash: hashSecret(collectorSecret),
    collectorKey: options.collectorKey
      ? hashSecret(`${tenant.id}:${options.collectorKey}`)
      : options.browser
        ? `browser:${options.browser.id}`
        : null,
    browserDeviceId: options.browser?.id ?? null,
    status: coolingDown ? 'cool_down' : 'pending',
    reason: verdict.outcome === 'push' ? null : verdict.reason,
    deliverable,
    collectorKnown,
    createdAt: now,
    expiresAt: now + limits.requestLifetimeSeconds * 1000,
    answeredAt: null,
    answeredBy: null,
    ip: options.ip,
    userAgent: options.userAgent ?? null,
    firstFactor,
  };
  // The same browser's older pending requests end before the new one exists, each through the one close.
  const superseded: string[] = [];
  if (request.collectorKey) {
    for (const older of await ctx.storage.signInRequests.pendingForCollector(request.collectorKey)) {
      const closed = await closeSignInRequest(ctx, older, { status: 'superseded', by: request.id, caller: options });
      if (closed?.status === 'superseded') superseded.push(older.id);
    }
  }
  // The request and its audit record are stored together.
  await ctx.storage.signInRequests.create(
    request,
    auditEvent(ctx, {
      tenantId: tenant.id,
      type: 'sign_in_request.created',
      outcome: request.status,
      reason: deliverable
        ? null
        : verdict.outcome !== 'push'
          ? request.reason
          : user
            ? `not delivered: ${mayUse ? 'no registration' : decision.reason}`
            : 'unknown user',
      userId: user?.id ?? null,
      username: body.username,
      method: body.kind === 'passwordless' ? 'phone_sign_in' : 'push_mfa',
      origin: body.origin,
      ip: options.ip,
      userAgent: options.userAgent ?? null,
      deviceId: options.browser?.id ?? null,
      detail: { requestId: request.id, targets: deliverable ? targets.length : 0, superseded },
    }),
  );
  if (request.status === 'pending') ctx.expiry.schedule(request.expiresAt);
  if (deliverable) {
    void offerToPhones(ctx, tenant, request, targets).catch((error) => ctx.log.error({ err: error }, 'delivery failed'));
  }
  return {
    requestId: request.id,
    number: request.number,
    expiresAt: new Date(request.expiresAt).toISOString(),
    collectorSecret,
    status: coolingDown ? 'cool_down' : 'pending',
    ...(verdict.outcome === 'cool_down' ? { retryAt: new Date(verdict.retryAt).toISOString() } : {}),
    // What is really available only after a first factor, or to a known browser of the user.
    methods: collectorKnown ? signInMethodsFor(user, decision, registrations) : [...offeredToEveryone],
  };
}

/**
 * Push MFA: the password or Temporary Access Pass comes first, each through the guessing limits;
 * a failure looks the same for everyone. Returns which it was (the grant's `amr` names it).
 */
async function checkFirstFactor(
  ctx: RelayContext,
  tenant: Tenant,
  user: User | undefined,
  body: { username: string; password?: string; temporaryAccessPass?: string },
  who: LimitSources,
  caller: CallerInfo,
  limits: FatigueLimits,
): Promise<'password' | 'temporary_access_pass'> {
  const refused = () => new ProblemError('credentials_invalid', 'Your username or password is incorrect.');
  const attempt = { tenant, username: body.username, who, caller, limits };
  if (body.temporaryAccessPass) {
    const pass = body.temporaryAccessPass;
    const redeemed = await guardSecret(ctx, { ...attempt, factor: 'temporary_access_pass' }, () =>
      redeemTemporaryAccessPass(ctx, tenant.name, body.username, pass, caller).catch((error) => {
        // Only a refused pass; storage trouble is not a wrong password.
        if (!(error instanceof ProblemError)) throw error;
        return undefined;
      }),
    );
    if (!redeemed) throw refused();
    return 'temporary_access_pass';
  }
  if (!(await checkPassword(ctx, { ...attempt, factor: 'password' }, body.password, user?.passwordHash ?? null))) throw refused();
  return 'password';
}

/** The application of the interaction the request belongs to (a registered client or the relay's own page); a caller's own words never name it. */
async function applicationNameFor(ctx: RelayContext, tenant: Tenant, client: { interaction?: string }): Promise<string | undefined> {
  if (!client.interaction) return undefined;
  return applicationOfInteraction(ctx, tenant, client.interaction);
}

/**
 * The site is not the tenant's: record `phishing_blocked` with the evidence (what the browser signed,
 * or the page's Origin header) and refuse. Nothing is stored as a request and nothing is pushed.
 */
async function refusePhishing(
  ctx: RelayContext,
  tenant: Tenant,
  body: { username: string; kind: string; origin: string },
  options: CreateOptions,
  known: { user: User | undefined; browserRegistered: boolean },
): Promise<never> {
  await recordAudit(ctx, {
    tenantId: tenant.id,
    type: 'phishing_blocked',
    outcome: 'refused',
    reason: `the sign-in was on ${body.origin}, not one of the tenant's sign-in origins`,
    userId: known.user?.id ?? null,
    username: body.username,
    method: body.kind === 'passwordless' ? 'phone_sign_in' : 'push_mfa',
    origin: body.origin,
    ip: options.ip,
    userAgent: options.userAgent ?? null,
    deviceId: options.browser?.id ?? null,
    detail: {
      stage: 'created',
      observedOrigin: body.origin,
      observedBy: options.browser ? 'browser' : 'origin header',
      ...(options.browser
        ? { browserId: options.browser.id, browserRegistered: known.browserRegistered, browserStatement: options.browserStatement ?? null }
        : {}),
      signInOrigins: signInOriginsOf(ctx, tenant),
    },
  });
  throw new ProblemError(
    'phishing_blocked',
    `This sign-in was on a site that is not ${tenant.displayName}'s — nothing was sent to your phone.`,
    {
      privateDetail: `origin ${body.origin}`,
    },
  );
}
