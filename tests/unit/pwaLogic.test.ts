/**
 * The phone app's pure parts, without a browser: reading enrollment links, the typed number,
 * the live channel's event stream, push payloads into notifications, and the pending list
 * dropping closed and expired requests by itself.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { readEventStream } from '../../shared/relay/readEventStream';
import type { SignInRequestDetails } from '../../shared/schemas/signInRequests';
import { parseEnrollmentLink } from '../../pwa/src/enrollment/parseEnrollmentLink';
import { parseTypedNumber } from '../../pwa/src/requests/answerSignInRequest';
import { addRequest, closeRequest, pendingRequests } from '../../pwa/src/requests/requestStore';
import { notificationForPush } from '../../pwa/sw/notificationForPush';
import { parsePushData } from '../../pwa/sw/parsePushData';
import { type PushEnvironment, initialPushStatus, pushStatusMessage } from '../../pwa/src/push/pushSubscription';

const app = 'https://nod.contoso.example';

describe('enrollment links from My Sign-ins', () => {
  it('takes the full link or the bare code', () => {
    expect(parseEnrollmentLink(`${app}/app/#/enroll?code=Abc_def-123456`, app)).toEqual({ ok: true, code: 'Abc_def-123456' });
    expect(parseEnrollmentLink('  Abc_def-123456 ', app)).toEqual({ ok: true, code: 'Abc_def-123456' });
  });

  it('refuses a link for another relay, a link that is not an enrollment link, and noise', () => {
    expect(parseEnrollmentLink('https://nod.fabrikam.example/app/#/enroll?code=Abc_def-123456', app)).toMatchObject({
      ok: false,
      message: expect.stringContaining('nod.fabrikam.example'),
    });
    expect(parseEnrollmentLink(`${app}/app/#/account/x?code=Abc_def-123456`, app)).toMatchObject({ ok: false });
    expect(parseEnrollmentLink('not a code!', app)).toMatchObject({ ok: false });
    expect(parseEnrollmentLink('', app)).toMatchObject({ ok: false });
  });
});

describe('the number the user types', () => {
  it('is two digits between 10 and 99', () => {
    expect(parseTypedNumber('42')).toBe(42);
    expect(parseTypedNumber(' 10 ')).toBe(10);
    for (const bad of ['', '7', '09', '100', '4 2', '4a', '-1']) expect(parseTypedNumber(bad), bad).toBeUndefined();
  });
});

describe('the live channel reads server-sent events from a fetch body', () => {
  it('joins lines split across chunks, skips heartbeats, keeps multi-line data, accepts CRLF', async () => {
    const chunks = [
      ': heartbeat\n\nevent: requ',
      'est\r\ndata: {"a":',
      '1}\n\n',
      'event: closed\ndata: line one\ndata: line two\nid: 7\n\n',
    ];
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const chunk of chunks) controller.enqueue(new TextEncoder().encode(chunk));
        controller.close();
      },
    });
    const events: unknown[] = [];
    for await (const event of readEventStream(body)) events.push(event);
    expect(events).toEqual([
      { event: 'request', data: '{"a":1}', id: undefined },
      { event: 'closed', data: 'line one\nline two', id: '7' },
    ]);
  });
});

describe('push payloads become notifications', () => {
  const push = {
    type: 'sign_in_request',
    requestId: 'req1',
    registrationId: 'reg1',
    tenant: 'contoso',
    kind: 'passwordless',
    expiresAt: '2030-01-01T00:00:00.000Z',
    context: {
      applicationName: 'Contoso Portal',
      browser: 'Chrome on Linux',
      location: 'Seattle',
      origin: 'https://portal.contoso.example',
      siteCheck: 'relay',
    },
  };

  it('"Approve sign-in request" with application · browser · location, tagged by request, opening its approve screen', () => {
    const payload = parsePushData({ json: () => push });
    expect(payload?.type).toBe('sign_in_request');
    const { title, options } = notificationForPush(payload as never, `${app}/app/`);
    expect(title).toBe('Approve sign-in request');
    expect(options.body).toBe('Contoso Portal · Chrome on Linux · Seattle');
    expect(options.tag).toBe('req1');
    expect(options.data.url).toBe(`${app}/app/#/approve/reg1/req1`);
  });

  it('says only what the policy lets it show', () => {
    const payload = parsePushData({ json: () => ({ ...push, context: { siteCheck: 'unchecked' } }) });
    expect(notificationForPush(payload as never, `${app}/app/`).options.body).toBe('A sign-in is waiting for your approval.');
  });

  it('shows no control or bidirectional characters, whatever the payload carries', () => {
    const payload = parsePushData({
      json: () => ({
        ...push,
        context: { ...push.context, applicationName: 'Contoso\u202e lataroP', browser: 'Chrome\n\u2066on Linux\u2069' },
      }),
    });
    expect(notificationForPush(payload as never, `${app}/app/`).options.body).toBe('Contoso lataroP · Chrome on Linux · Seattle');
  });

  it('ignores what is not a Nod payload', () => {
    expect(parsePushData({ json: () => ({ type: 'sign_in_request', requestId: 'x' }) })).toBeUndefined();
    expect(
      parsePushData({
        json: () => {
          throw new SyntaxError('not JSON');
        },
      }),
    ).toBeUndefined();
    expect(parsePushData(null)).toBeUndefined();
    expect(parsePushData({ json: () => ({ type: 'sign_in_request_closed', requestId: 'x' }) })).toEqual({
      type: 'sign_in_request_closed',
      requestId: 'x',
    });
  });
});

describe('the pending list', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  const details = (requestId: string, lifetimeMs: number): SignInRequestDetails => ({
    requestId,
    registrationId: 'reg1',
    tenant: 'contoso',
    tenantDisplayName: 'Contoso',
    username: 'alice@contoso.example',
    kind: 'passwordless',
    nonce: 'nonce',
    expiresAt: new Date(Date.now() + lifetimeMs).toISOString(),
    context: { origin: 'https://portal.contoso.example', siteCheck: 'relay' },
    webauthn: { rpId: 'nod.contoso.example', allowCredentials: [], userVerification: 'required', timeout: 60_000 },
  });

  it('drops an expired request by itself', () => {
    vi.useFakeTimers();
    addRequest(details('soon', 1_000));
    addRequest(details('later', 60_000));
    expect(pendingRequests().map((r) => r.requestId)).toEqual(['soon', 'later']);
    vi.advanceTimersByTime(1_100);
    expect(pendingRequests().map((r) => r.requestId)).toEqual(['later']);
    closeRequest('later');
  });

  it('a closed request never comes back from a late list or event', () => {
    addRequest(details('answered', 60_000));
    closeRequest('answered');
    addRequest(details('answered', 60_000));
    expect(pendingRequests()).toEqual([]);
    // Already expired when it arrives: never listed.
    addRequest(details('stale', -1));
    expect(pendingRequests()).toEqual([]);
  });
});

describe('where notifications stand at start (iPhone and iPad: Add to Home Screen first)', () => {
  const iPhoneSafari =
    'Mozilla/5.0 (iPhone; CPU iPhone OS 18_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.4 Mobile/15E148 Safari/604.1';
  const iPadSafari =
    'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.4 Safari/605.1.15';
  const android = 'Mozilla/5.0 (Linux; Android 15; Pixel 9) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Mobile Safari/537.36';
  const environment = (overrides: Partial<PushEnvironment>): PushEnvironment => ({
    userAgent: android,
    platform: 'Linux armv8l',
    maxTouchPoints: 5,
    standalone: false,
    hasPush: true,
    permission: 'default',
    ...overrides,
  });

  it('in a Safari tab on iPhone or iPad it explains Add to Home Screen instead of offering notifications, APIs or not', () => {
    for (const tab of [
      environment({ userAgent: iPhoneSafari, platform: 'iPhone', hasPush: false, permission: undefined }),
      environment({ userAgent: iPhoneSafari, platform: 'iPhone' }),
      environment({ userAgent: iPadSafari, platform: 'MacIntel', maxTouchPoints: 5 }),
    ])
      expect(initialPushStatus(tab)).toBe('ios-not-installed');
    const said = pushStatusMessage('ios-not-installed');
    expect(said).toContain('add Nod to your Home Screen first (Share, then Add to Home Screen)');
    expect(said).toContain('Until then, sign-in requests arrive only while Nod is open.');
  });

  it('opened from the Home Screen it offers notifications as anywhere else', () => {
    expect(initialPushStatus(environment({ userAgent: iPhoneSafari, platform: 'iPhone', standalone: true }))).toBe('ask');
    expect(initialPushStatus(environment({ userAgent: iPhoneSafari, platform: 'iPhone', standalone: true, permission: 'granted' }))).toBe(
      'subscribing',
    );
  });

  it('elsewhere: asks, or says what blocks it', () => {
    expect(initialPushStatus(environment({}))).toBe('ask');
    expect(initialPushStatus(environment({ permission: 'denied' }))).toBe('denied');
    // A Mac's Safari (no touch screen) is not an iPad.
    expect(initialPushStatus(environment({ userAgent: iPadSafari, platform: 'MacIntel', maxTouchPoints: 0 }))).toBe('ask');
    expect(initialPushStatus(environment({ hasPush: false, permission: undefined }))).toBe('unavailable');
  });
});
