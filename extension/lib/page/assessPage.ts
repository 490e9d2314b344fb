import type { PageObservation, PageVerdict } from '../../../shared/schemas/extensionMessages';
import { matchSignInOrigin, originOf } from '../origins/matchSignInOrigin';
import type { RelayRecord } from '../relays/relayRecord';

/**
 * Judge a page from the tab's real origin (from the browser, never from the page) and what the content
 * script saw there. Only a marker on one of its tenant's registered sign-in origins is genuine; the same
 * marker, or the hosted page's look, anywhere else is a look-alike — also on an origin registered to
 * another tenant (one tenant's site naming another tenant).
 */
export function assessPage(realOrigin: string, seen: PageObservation, relays: RelayRecord[]): PageVerdict {
  const match = matchSignInOrigin(realOrigin, relays);
  const { marker, imitation } = seen;

  if (match.kind === 'registered') {
    const claimed = marker && match.tenants.find(({ tenant }) => tenant.name === marker.tenant);
    if (claimed) {
      return { kind: 'genuine', tenant: claimed.tenant.name, tenantDisplayName: claimed.tenant.displayName, site: realOrigin };
    }
    const holders = new Set(match.tenants.map(({ tenant }) => tenant.name));
    const everyTenant = relays.flatMap((relay) => relay.tenants);
    const looksLikeHostedPage = imitation.title || imitation.phrases >= 2;
    const mentionsHolder = everyTenant.some(
      (tenant) => holders.has(tenant.name) && imitation.mentions.some((name) => name.toLowerCase() === tenant.displayName.toLowerCase()),
    );
    const named = marker
      ? everyTenant.find((tenant) => tenant.name === marker.tenant)
      : looksLikeHostedPage && !mentionsHolder
        ? everyTenant.find((tenant) => imitation.mentions.some((name) => name.toLowerCase() === tenant.displayName.toLowerCase()))
        : undefined;
    if (named && !holders.has(named.name)) {
      return lookalike(realOrigin, 'names_another_tenant', named.displayName, named.signInOrigins);
    }
    return offerOrNone(realOrigin, seen, relays);
  }

  const everyTenant = relays.flatMap((relay) => relay.tenants);
  const claimedTenant = marker ? everyTenant.find((tenant) => tenant.name === marker.tenant) : undefined;
  const mentioned = everyTenant.find((tenant) =>
    imitation.mentions.some((name) => name.toLowerCase() === tenant.displayName.toLowerCase()),
  );
  const near = match.kind === 'confusable' || match.kind === 'other_port' ? match.tenant.tenant : undefined;
  const imitated = claimedTenant ?? near ?? mentioned;
  const expected = imitated ? imitated.signInOrigins : [];

  if (marker) {
    return lookalike(realOrigin, 'marker_on_unregistered_origin', imitated?.displayName, expected);
  }
  const looksLikeHostedPage = imitation.title || imitation.phrases >= 2;
  if (near && (looksLikeHostedPage || imitation.signInForm)) {
    return lookalike(realOrigin, 'confusable_host', near.displayName, expected);
  }
  // The hosted page's words, or a title naming a Nod tenant, together with a sign-in form or the name.
  if ((looksLikeHostedPage && (imitation.signInForm || mentioned)) || (mentioned && imitation.signInForm)) {
    return lookalike(realOrigin, 'imitates_sign_in_page', imitated?.displayName, expected);
  }
  return offerOrNone(realOrigin, seen, relays);
}

function lookalike(
  site: string,
  reason: 'marker_on_unregistered_origin' | 'confusable_host' | 'imitates_sign_in_page' | 'names_another_tenant',
  imitates: string | undefined,
  expected: string[],
): PageVerdict {
  return { kind: 'lookalike', site, reason, expected: expected.slice(0, 50), ...(imitates ? { imitates } : {}) };
}

/** A "Sign in with Nod" offer when the site names a known tenant's issuer and a login URL on its own origin. */
function offerOrNone(realOrigin: string, seen: PageObservation, relays: RelayRecord[]): PageVerdict {
  const declared = seen.identityProvider;
  if (!declared) return { kind: 'none' };
  const tenant = relays.flatMap((relay) => relay.tenants).find((t) => sameIssuer(t.issuer, declared.issuer));
  if (!tenant) return { kind: 'none' };
  let loginUrl: URL;
  try {
    loginUrl = new URL(declared.loginUrl, realOrigin);
  } catch {
    return { kind: 'none' };
  }
  // The offer navigates the tab, so it may only lead somewhere on the site itself.
  if (originOf(loginUrl.href) !== realOrigin) return { kind: 'none' };
  return { kind: 'offer', tenantDisplayName: tenant.displayName, loginUrl: loginUrl.href };
}

function sameIssuer(a: string, b: string): boolean {
  return a.replace(/\/+$/, '') === b.replace(/\/+$/, '');
}
