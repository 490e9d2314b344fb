/**
 * The content script validates without zod (it runs on every allowed page and must stay small): its
 * hand-written checks must accept and return exactly what the shared zod schemas do — the marker, the
 * page's hand-off messages and the background's port messages — on valid messages, on each field broken
 * in turn, and on extra fields (dropped). Its copies of shared constants must equal the originals. And a
 * page it does not report (worthReporting false) is one the background could only have judged `none`.
 */
import { describe, expect, it } from 'vitest';
import {
  brokeredStatuses as sharedStatuses,
  identityProviderDeclarationName as sharedIdpName,
  pagePortName as sharedPortName,
  pageToExtensionMessage,
  parseMessage,
  parseSignInPageMarker,
  signInPageMarkerName as sharedMarkerName,
  signInPageMarkerVersion as sharedMarkerVersion,
  signInPageSteps as sharedSteps,
  type PageObservation,
} from '../../shared/schemas/extensionMessages';
import { assessPage } from '../../extension/lib/page/assessPage';
import { worthReporting } from '../../extension/lib/page/observePage';
import {
  brokeredStatuses,
  identityProviderDeclarationName,
  pagePortName,
  parseBackgroundMessage,
  parseMarker,
  parsePageMessage,
  signInPageMarkerName,
  signInPageMarkerVersion,
  signInPageSteps,
} from '../../extension/lib/page/pageChecks';
import type { RelayRecord } from '../../extension/lib/relays/relayRecord';

/** Values that break a field of almost any type. */
const junk: unknown[] = [
  undefined,
  null,
  0,
  -1,
  1.5,
  1000,
  Number.NaN,
  '',
  ' ',
  'x'.repeat(41),
  'x'.repeat(201),
  'x'.repeat(2001),
  true,
  {},
  [],
  ['x'],
];

/** Each sample, and each sample with one field replaced by each junk value (or removed), and with an extra field. */
function variants(sample: Record<string, unknown>): unknown[] {
  const out: unknown[] = [sample, { ...sample, extra: 'dropped' }];
  for (const key of Object.keys(sample)) {
    const { [key]: _removed, ...without } = sample;
    out.push(without);
    for (const value of junk) out.push({ ...sample, [key]: value });
  }
  return out;
}

const zodMarker = (content: string) => parseSignInPageMarker(content);
const zodPage = (data: unknown) => {
  const result = pageToExtensionMessage.safeParse(data);
  return result.success ? result.data : undefined;
};

describe('the content script’s copies of shared constants', () => {
  it('equal the shared definitions', () => {
    expect(pagePortName).toBe(sharedPortName);
    expect(signInPageMarkerName).toBe(sharedMarkerName);
    expect(signInPageMarkerVersion).toBe(sharedMarkerVersion);
    expect(identityProviderDeclarationName).toBe(sharedIdpName);
    expect([...signInPageSteps]).toEqual([...sharedSteps]);
    expect([...brokeredStatuses].sort()).toEqual([...sharedStatuses].sort());
  });
});

describe('hand-written checks agree with the zod schemas', () => {
  it('the nod-sign-in marker', () => {
    const markers = [
      ...variants({ v: 1, tenant: 'contoso', step: 'username' }),
      ...variants({ v: 1, tenant: 'wingtip-toys', step: 'phone', requestId: 'req_AB-12', interaction: 'uid_AB-1' }),
      { v: 1, tenant: 'contoso', step: 'phone', requestId: 'bad id' },
      { v: 1, tenant: 'contoso', step: 'phone', requestId: 'x'.repeat(101) },
      { v: 1, tenant: 'Contoso', step: 'username' },
      { v: 1, tenant: '-contoso', step: 'username' },
      { v: 2, tenant: 'contoso', step: 'username' },
      { v: '1', tenant: 'contoso', step: 'username' },
      ...signInPageSteps.map((step) => ({ v: 1, tenant: 'contoso', step })),
    ];
    const contents = [
      ...markers.map((m) => JSON.stringify(m)),
      '',
      'not json',
      '[]',
      'null',
      '1',
      JSON.stringify({ v: 1, tenant: 'contoso', step: 'username', pad: 'x'.repeat(2000) }),
    ];
    for (const content of contents) expect(parseMarker(content), content).toEqual(zodMarker(content));
    expect(parseMarker(null)).toBeUndefined();
    expect(parseMarker(undefined)).toBeUndefined();
  });

  it('the page’s hand-off messages', () => {
    const messages = [
      ...variants({ type: 'nod:extension-probe' }),
      ...variants({ type: 'nod:phone-sign-in-cancelled' }),
      ...variants({ type: 'nod:phone-sign-in-requested', username: 'alice@contoso.example' }),
      { type: 'nod:phone-sign-in-requested', username: '  Alice@Contoso.Example  ' },
      { type: 'nod:phone-sign-in-requested', username: 'al ice' },
      { type: 'nod:phone-sign-in-requested', username: 'alice"' },
      { type: 'nod:phone-sign-in-requested', username: `${'a'.repeat(254)}` },
      { type: 'nod:phone-sign-in-requested', username: `${'a'.repeat(255)}` },
      { type: 'nod:get-collector-secret' },
      'nod:phone-sign-in-requested',
      null,
      [],
    ];
    for (const data of messages) expect(parsePageMessage(data), JSON.stringify(data)).toEqual(zodPage(data));
  });

  it('the background’s port messages', () => {
    const view = {
      tabId: 5,
      requestId: 'r1',
      tenant: 'contoso',
      tenantDisplayName: 'Contoso',
      username: 'Alice@Contoso.example',
      site: 'https://nod.contoso.example',
      number: 42,
      status: 'pending',
      expiresAt: '2026-01-01T00:02:00.000Z',
      retryAt: '2026-01-01T00:05:00.000Z',
      message: 'Waiting for your approval.',
    };
    const payloads: Array<[string, unknown]> = [
      ...variants({ kind: 'genuine', tenant: 'contoso', tenantDisplayName: 'Contoso', site: 'https://nod.contoso.example' }).map(
        (p) => ['page:verdict', p] as [string, unknown],
      ),
      ...variants({
        kind: 'lookalike',
        site: 'http://127.0.0.1:5555',
        imitates: 'Contoso',
        expected: ['https://nod.contoso.example'],
        reason: 'confusable_host',
      }).map((p) => ['page:verdict', p] as [string, unknown]),
      ...variants({ kind: 'offer', tenantDisplayName: 'Contoso', loginUrl: 'https://portal.example/login' }).map(
        (p) => ['page:verdict', p] as [string, unknown],
      ),
      ['page:verdict', { kind: 'none' }],
      ['page:verdict', { kind: 'none', extra: 1 }],
      ['page:verdict', { kind: 'lookalike', site: 'x', expected: ['https://nod.contoso.example/'], reason: 'confusable_host' }],
      ['page:verdict', { kind: 'lookalike', site: 'x', expected: Array(51).fill('https://a.example'), reason: 'confusable_host' }],
      ['page:verdict', { kind: 'genuine', tenant: 'contoso', tenantDisplayName: 'C', site: 'ftp://nod.contoso.example' }],
      ['page:verdict', { kind: 'other' }],
      ...variants(view).map((v) => ['signIn:view', { view: v }] as [string, unknown]),
      ...brokeredStatuses.map((status) => ['signIn:view', { view: { ...view, status } }] as [string, unknown]),
      // The number is never the page's: dropped whatever it is.
      ['signIn:view', { view: { ...view, number: 999 } }],
      ['signIn:view', { view: { ...view, number: 'forty-two' } }],
      ['signIn:view', { view: { ...view, tabId: 2 ** 53 } }],
      ['signIn:view', { view: null }],
      ['signIn:view', {}],
      ...variants({ grant: 'g'.repeat(40), requestId: 'r1' }).map((p) => ['signIn:grant', p] as [string, unknown]),
      ...variants({ username: 'bob@contoso.example' }).map((p) => ['page:fillUsername', p] as [string, unknown]),
      ...variants({ height: 236 }).map((p) => ['page:panelHeight', p] as [string, unknown]),
      ['page:panelHeight', { height: 0 }],
      ['page:panelHeight', { height: 2000 }],
      ['page:panelHeight', { height: 2001 }],
      ['panel:view', { view }],
      ['signIn:start', { username: 'alice@contoso.example' }],
      ['ui:getState', {}],
      ['constructor', {}],
      ['page:verdict', null],
      ['page:verdict', []],
    ];
    for (const [type, payload] of payloads) {
      const raw = { type, payload };
      const parsed = parseBackgroundMessage(raw);
      expect(parsed, JSON.stringify(raw)).toEqual(parseMessage('toContentScript', raw));
      expect(JSON.stringify(parsed ?? {}), JSON.stringify(raw)).not.toContain('"number"');
    }
    for (const raw of [null, 'page:verdict', [], { type: 'page:verdict' }])
      expect(parseBackgroundMessage(raw)).toEqual(parseMessage('toContentScript', raw));
  });
});

describe('pages the content script does not report', () => {
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
          signInOrigins: ['https://nod.contoso.example'],
          issuer: 'https://nod.contoso.example/t/contoso',
        },
      ],
    },
  ];
  const origins = [
    'https://nod.contoso.example',
    'https://nod.contoso.example:8443',
    'http://nod.contoso.example',
    new URL('https://nod.cοntoso.example').origin,
    'https://nod.contoso.example.evil.test',
    'https://news.example',
  ];

  it('could only have been judged none, on any origin', () => {
    const quiet: PageObservation[] = [];
    for (const phrases of [0, 1])
      for (const mentions of [[], ['Contoso'], ['Sign in to Contoso', 'Contoso'], ['Nod']])
        quiet.push({ marker: null, imitation: { title: false, phrases, signInForm: false, mentions }, identityProvider: null });
    for (const seen of quiet) {
      expect(worthReporting(seen)).toBe(false);
      for (const origin of origins) expect(assessPage(origin, seen, relays), `${origin} ${JSON.stringify(seen)}`).toEqual({ kind: 'none' });
    }
  });

  it('each signal on its own makes a page worth reporting', () => {
    const base: PageObservation = {
      marker: null,
      imitation: { title: false, phrases: 0, signInForm: false, mentions: [] },
      identityProvider: null,
    };
    expect(worthReporting({ ...base, marker: { v: 1, tenant: 'contoso', step: 'username' } })).toBe(true);
    expect(worthReporting({ ...base, identityProvider: { issuer: 'https://nod.contoso.example/t/contoso', loginUrl: '/login' } })).toBe(
      true,
    );
    expect(worthReporting({ ...base, imitation: { ...base.imitation, title: true } })).toBe(true);
    expect(worthReporting({ ...base, imitation: { ...base.imitation, phrases: 2 } })).toBe(true);
    expect(worthReporting({ ...base, imitation: { ...base.imitation, signInForm: true } })).toBe(true);
  });
});
