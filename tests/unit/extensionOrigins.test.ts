/**
 * Journey 6, look-alikes: the extension trusts only an exact registered sign-in origin, and recognises
 * the near misses a phisher would use — another port or scheme, punycode homoglyphs, a registered host
 * embedded in another — so it can warn instead of brokering.
 */
import { describe, expect, it } from 'vitest';
import type { PageObservation } from '../../shared/schemas/extensionMessages';
import { decodeHostname, decodePunycode } from '../../extension/lib/origins/decodePunycode';
import { hostSkeleton } from '../../extension/lib/origins/hostSkeleton';
import { matchSignInOrigin } from '../../extension/lib/origins/matchSignInOrigin';
import { assessPage } from '../../extension/lib/page/assessPage';
import type { RelayRecord } from '../../extension/lib/relays/relayRecord';

const relays: RelayRecord[] = [
  {
    origin: 'https://nod.contoso.example',
    addedAt: '2026-01-01T00:00:00.000Z',
    fetchedAt: '2026-01-01T00:00:00.000Z',
    deviceIds: {},
    tenants: [
      {
        name: 'contoso',
        displayName: 'Contoso',
        signInOrigins: ['https://nod.contoso.example', 'https://login.contoso.example'],
        issuer: 'https://nod.contoso.example/t/contoso',
      },
      {
        name: 'wingtiptoys',
        displayName: 'Wingtip Toys',
        signInOrigins: ['https://nod.contoso.example'],
        issuer: 'https://nod.contoso.example/t/wingtiptoys',
      },
    ],
  },
];

/** The ASCII (punycode) origin a browser reports for a Unicode host. */
const asciiOrigin = (unicodeUrl: string) => new URL(unicodeUrl).origin;

const plainPage: PageObservation = {
  marker: null,
  imitation: { title: false, phrases: 0, signInForm: false, mentions: [] },
  identityProvider: null,
};
const markedPage = (tenant = 'contoso'): PageObservation => ({ ...plainPage, marker: { v: 1, tenant, step: 'username' } });

describe('punycode (RFC 3492)', () => {
  it('decodes the RFC sample strings and IDNA labels', () => {
    expect(decodePunycode('ihqwcrb4cv8a8dqg056pqjye')).toBe('他们为什么不说中文');
    expect(decodePunycode('bcher-kva')).toBe('bücher');
    expect(decodeHostname('xn--bcher-kva.example')).toBe('bücher.example');
    expect(decodeHostname('plain.example')).toBe('plain.example');
  });

  it('leaves a label that does not decode as it is', () => {
    expect(decodeHostname('xn--!!.example')).toBe('xn--!!.example');
  });
});

describe('host skeletons', () => {
  it('read Cyrillic and Greek look-alikes as the Latin host they imitate', () => {
    expect(hostSkeleton(new URL('https://nod.cоntoso.example').hostname)).toBe(hostSkeleton('nod.contoso.example')); // Cyrillic о
    expect(hostSkeleton(new URL('https://nod.cοntοsο.example').hostname)).toBe(hostSkeleton('nod.contoso.example')); // Greek ο
    expect(hostSkeleton('nod.c0nt0so.example')).toBe(hostSkeleton('nod.contoso.example'));
    expect(hostSkeleton('nod.fabrikam.example')).not.toBe(hostSkeleton('nod.contoso.example'));
  });
});

describe('matching an origin against the registered sign-in origins', () => {
  it('registers only the exact origin, for every tenant that lists it', () => {
    const match = matchSignInOrigin('https://nod.contoso.example', relays);
    expect(match.kind).toBe('registered');
    expect(match.kind === 'registered' && match.tenants.map((t) => t.tenant.name)).toEqual(['contoso', 'wingtiptoys']);
    expect(matchSignInOrigin('https://login.contoso.example', relays).kind).toBe('registered');
  });

  it('normalises case and the default port as a browser does', () => {
    expect(matchSignInOrigin('https://NOD.Contoso.Example:443', relays).kind).toBe('registered');
  });

  it('calls another port or scheme of a registered host a near miss, not registered', () => {
    expect(matchSignInOrigin('https://nod.contoso.example:8443', relays)).toMatchObject({
      kind: 'other_port',
      like: 'https://nod.contoso.example',
    });
    expect(matchSignInOrigin('http://nod.contoso.example', relays).kind).toBe('other_port');
  });

  it('calls a punycode homoglyph confusable', () => {
    const homoglyph = asciiOrigin('https://nod.cоntoso.example'); // Cyrillic о: xn--…
    expect(homoglyph).toContain('xn--');
    expect(matchSignInOrigin(homoglyph, relays)).toMatchObject({ kind: 'confusable', like: 'https://nod.contoso.example' });
  });

  it('calls a registered host embedded in another domain confusable', () => {
    expect(matchSignInOrigin('https://nod.contoso.example.evil.test', relays).kind).toBe('confusable');
    expect(matchSignInOrigin('https://nod-contoso.example', relays).kind).toBe('confusable');
  });

  it('does not confuse a subdomain of a registered host or an unrelated site', () => {
    expect(matchSignInOrigin('https://portal.nod.contoso.example', relays).kind).toBe('unrelated');
    expect(matchSignInOrigin('https://example.org', relays).kind).toBe('unrelated');
  });

  it('never registers opaque or non-web origins', () => {
    for (const origin of ['null', 'file:///tmp/x.html', 'chrome-extension://abc', 'data:text/html,x', '']) {
      expect(matchSignInOrigin(origin, relays).kind).toBe('unrelated');
    }
  });
});

describe('judging a page by its real origin', () => {
  it('the genuine hosted page: marker on a registered origin of its tenant', () => {
    expect(assessPage('https://nod.contoso.example', markedPage(), relays)).toEqual({
      kind: 'genuine',
      tenant: 'contoso',
      tenantDisplayName: 'Contoso',
      site: 'https://nod.contoso.example',
    });
  });

  it('a page naming tenant A on an origin registered to tenant B gets the warning', () => {
    // login.contoso.example is Contoso's alone; a page there naming Wingtip Toys imitates Wingtip Toys.
    expect(assessPage('https://login.contoso.example', markedPage('wingtiptoys'), relays)).toEqual({
      kind: 'lookalike',
      site: 'https://login.contoso.example',
      reason: 'names_another_tenant',
      imitates: 'Wingtip Toys',
      expected: ['https://nod.contoso.example'],
    });
    const copied: PageObservation = { ...plainPage, imitation: { title: true, phrases: 2, signInForm: true, mentions: ['Wingtip Toys'] } };
    expect(assessPage('https://login.contoso.example', copied, relays)).toMatchObject({
      kind: 'lookalike',
      reason: 'names_another_tenant',
    });
    // Naming its own tenant there is fine, and a tenant the relays do not know is nobody's to warn about.
    expect(assessPage('https://login.contoso.example', markedPage('contoso'), relays).kind).toBe('genuine');
    expect(assessPage('https://login.contoso.example', markedPage('fabrikam'), relays).kind).toBe('none');
  });

  it('the marker on another port, a homoglyph or another loopback origin is a look-alike', () => {
    for (const origin of [
      'https://nod.contoso.example:8443',
      asciiOrigin('https://nod.cоntoso.example'),
      'https://xn--nod-contoso-evil.example',
      'http://127.0.0.1:9999',
    ]) {
      const verdict = assessPage(origin, markedPage(), relays);
      expect(verdict.kind, origin).toBe('lookalike');
      expect(verdict.kind === 'lookalike' && verdict.reason).toBe('marker_on_unregistered_origin');
      expect(verdict.kind === 'lookalike' && verdict.expected).toContain('https://nod.contoso.example');
      expect(verdict.kind === 'lookalike' && verdict.imitates).toBe('Contoso');
    }
  });

  it('the hosted page’s words and form without the marker, elsewhere, is a look-alike', () => {
    const copied: PageObservation = { ...plainPage, imitation: { title: false, phrases: 2, signInForm: true, mentions: ['Contoso'] } };
    expect(assessPage('https://phish.example', copied, relays)).toMatchObject({
      kind: 'lookalike',
      reason: 'imitates_sign_in_page',
      imitates: 'Contoso',
    });
  });

  it('a copy titled “Sign in to <tenant>” with a sign-in form, elsewhere, is a look-alike', () => {
    const copied: PageObservation = {
      ...plainPage,
      imitation: { title: false, phrases: 0, signInForm: true, mentions: ['Contoso', 'Sign in to Contoso'] },
    };
    expect(assessPage('https://contoso-login.example', copied, relays)).toMatchObject({ kind: 'lookalike', imitates: 'Contoso' });
    // Another company’s own sign-in page is none of Nod’s business.
    const other: PageObservation = {
      ...plainPage,
      imitation: { title: false, phrases: 0, signInForm: true, mentions: ['GitHub', 'Sign in to GitHub'] },
    };
    expect(assessPage('https://github.example', other, relays).kind).toBe('none');
  });

  it('a sign-in form on a confusable host is a look-alike even without the words', () => {
    const form: PageObservation = { ...plainPage, imitation: { title: false, phrases: 0, signInForm: true, mentions: [] } };
    expect(assessPage(asciiOrigin('https://nod.cоntoso.example'), form, relays)).toMatchObject({
      kind: 'lookalike',
      reason: 'confusable_host',
    });
  });

  it('an ordinary page with a sign-in form is left alone', () => {
    const form: PageObservation = { ...plainPage, imitation: { title: false, phrases: 0, signInForm: true, mentions: [] } };
    expect(assessPage('https://shop.example', form, relays).kind).toBe('none');
    expect(assessPage('https://shop.example', plainPage, relays).kind).toBe('none');
  });

  it('offers Sign in with Nod where a site names a known issuer and its own login URL', () => {
    const declared = (issuer: string, loginUrl: string): PageObservation => ({ ...plainPage, identityProvider: { issuer, loginUrl } });
    expect(assessPage('https://portal.contoso.example', declared('https://nod.contoso.example/t/contoso/', '/login'), relays)).toEqual({
      kind: 'offer',
      tenantDisplayName: 'Contoso',
      loginUrl: 'https://portal.contoso.example/login',
    });
    // An unknown issuer, or a login URL on another site, gets no offer.
    expect(assessPage('https://portal.contoso.example', declared('https://idp.evil.test', '/login'), relays).kind).toBe('none');
    expect(
      assessPage('https://portal.contoso.example', declared('https://nod.contoso.example/t/contoso', 'https://evil.test/login'), relays)
        .kind,
    ).toBe('none');
  });
});
