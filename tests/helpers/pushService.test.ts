import { Agent, request as httpsRequest } from 'node:https';
import webpush, { type RequestOptions, type WebPushError } from 'web-push';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PushService, startPushService } from './pushService';

let service: PushService;
let agent: Agent;
const vapidDetails = { subject: 'mailto:ops@nod.example', ...webpush.generateVAPIDKeys() };

beforeAll(async () => {
  service = await startPushService();
  agent = new Agent({ ca: service.ca });
});

afterAll(async () => {
  agent?.destroy();
  await service?.close();
});

const options = (extra: RequestOptions = {}): RequestOptions => ({ vapidDetails, TTL: 60, agent, ...extra });

/** POST the request web-push would make, after letting the test alter it. */
function sendRaw(details: webpush.RequestDetails): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(details.endpoint, { method: 'POST', headers: details.headers, agent }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end(details.body ?? undefined);
  });
}

describe('pushService', () => {
  it('decrypts what web-push sends and records the headers and VAPID claims', async () => {
    const { id, subscription } = service.createSubscription();
    expect(subscription.endpoint).toBe(`${service.origin}/push/${id}`);
    expect(Buffer.from(subscription.keys.p256dh, 'base64url')).toHaveLength(65);
    expect(Buffer.from(subscription.keys.auth, 'base64url')).toHaveLength(16);

    const payload = JSON.stringify({ requestId: 'req_123', app: 'Contoso Portal' });
    const before = Math.floor(Date.now() / 1000);
    const result = await webpush.sendNotification(subscription, payload, options({ TTL: 120, urgency: 'high', topic: 'signin-req123' }));
    expect(result.statusCode).toBe(201);
    expect(result.headers.location).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/message\//);

    const message = await service.waitFor((m) => m.subscriptionId === id);
    expect(message.error).toBeUndefined();
    expect(message.status).toBe(201);
    expect(message.payloadText).toBe(payload);
    expect(message.payload).toEqual({ requestId: 'req_123', app: 'Contoso Portal' });
    expect(message.headers).toEqual({ ttl: 120, urgency: 'high', topic: 'signin-req123' });
    expect(message.vapid).toMatchObject({ aud: service.origin, sub: vapidDetails.subject, publicKey: vapidDetails.publicKey });
    // web-push defaults to a 12-hour token.
    expect(message.vapid!.exp).toBeGreaterThan(before);
    expect(message.vapid!.exp - before).toBeLessThanOrEqual(24 * 3600);
  });

  it('waitFor also resolves for a message that arrives later, and times out otherwise', async () => {
    const { id, subscription } = service.createSubscription();
    const waiting = service.waitFor((m) => m.subscriptionId === id && m.payloadText === 'later');
    await webpush.sendNotification(subscription, 'later', options());
    expect((await waiting).payload).toBeUndefined();
    await expect(service.waitFor((m) => m.subscriptionId === 'nobody', 50)).rejects.toThrow(/no matching push/);
  });

  it('rejects a tampered body with 400 and records why', async () => {
    const { id, subscription } = service.createSubscription();
    const details = webpush.generateRequestDetails(subscription, 'secret', options());
    const body = Buffer.from(details.body as Buffer);
    body[body.length - 1] ^= 0x01;
    const response = await sendRaw({ ...details, body });
    expect(response.status).toBe(400);
    const message = await service.waitFor((m) => m.subscriptionId === id);
    expect(message.status).toBe(400);
    expect(message.error).toMatch(/cannot decrypt/);
    expect(message.payloadText).toBeUndefined();
  });

  it('rejects a payload encrypted for another subscription', async () => {
    const target = service.createSubscription();
    const other = service.createSubscription();
    const details = webpush.generateRequestDetails(other.subscription, 'for someone else', options());
    const response = await sendRaw({ ...details, endpoint: target.subscription.endpoint });
    expect(response.status).toBe(400);
    expect((await service.waitFor((m) => m.subscriptionId === target.id)).error).toMatch(/cannot decrypt/);
  });

  it('rejects bad VAPID: wrong audience, expired token, key that did not sign, missing header', async () => {
    const { id, subscription } = service.createSubscription();
    const details = webpush.generateRequestDetails(subscription, 'x', options());
    const inHour = Math.floor(Date.now() / 1000) + 3600;
    const vapid = (audience: string, expiration: number, publicKey = vapidDetails.publicKey) =>
      webpush.getVapidHeaders(audience, vapidDetails.subject, publicKey, vapidDetails.privateKey, 'aes128gcm', expiration).Authorization;
    const otherKey = webpush.generateVAPIDKeys().publicKey;
    const cases: [string, string | undefined, RegExp][] = [
      ['wrong aud', vapid('https://push.example', inHour), /aud/],
      ['expired', vapid(service.origin, Math.floor(Date.now() / 1000) - 60), /exp/],
      ['forged k', vapid(service.origin, inHour, otherKey), /signature/],
      ['missing', undefined, /missing/],
    ];
    for (const [name, authorization, reason] of cases) {
      const headers = { ...details.headers } as Record<string, string>;
      if (authorization === undefined) delete headers.Authorization;
      else headers.Authorization = authorization;
      const response = await sendRaw({ ...details, headers });
      expect(response.status, name).toBe(400);
      const message = service.received.filter((m) => m.subscriptionId === id).at(-1)!;
      expect(message.error, name).toMatch(reason);
      expect(message.vapid, name).toBeUndefined();
    }
    // The untouched request is accepted, so the refusals above come from the alterations.
    expect((await sendRaw(details)).status).toBe(201);
  });

  it('rejects a VAPID token that lives longer than 24 hours', async () => {
    const { id, subscription } = service.createSubscription();
    const details = webpush.generateRequestDetails(subscription, 'x', options());
    // web-push refuses to make such a token, so make it with jose.
    const { SignJWT, importJWK } = await import('jose');
    const pub = Buffer.from(vapidDetails.publicKey, 'base64url');
    const key = await importJWK(
      {
        kty: 'EC',
        crv: 'P-256',
        x: pub.subarray(1, 33).toString('base64url'),
        y: pub.subarray(33).toString('base64url'),
        d: vapidDetails.privateKey,
      },
      'ES256',
    );
    const jwt = await new SignJWT({ sub: vapidDetails.subject })
      .setProtectedHeader({ alg: 'ES256', typ: 'JWT' })
      .setAudience(service.origin)
      .setExpirationTime(Math.floor(Date.now() / 1000) + 25 * 3600)
      .sign(key);
    const headers = { ...details.headers, Authorization: `vapid t=${jwt}, k=${vapidDetails.publicKey}` };
    expect((await sendRaw({ ...details, headers })).status).toBe(400);
    expect(service.received.filter((m) => m.subscriptionId === id).at(-1)!.error).toMatch(/24 hours/);
  });

  it('rejects a Content-Encoding other than aes128gcm', async () => {
    const { subscription } = service.createSubscription();
    const details = webpush.generateRequestDetails(subscription, 'x', options({ contentEncoding: 'aesgcm' }));
    const response = await sendRaw(details);
    expect(response.status).toBe(400);
    expect(response.text).toMatch(/aes128gcm/);
  });

  it('answers the configured status: respondWith 410 makes web-push reject with statusCode 410', async () => {
    const { id, subscription } = service.createSubscription({ respondWith: 410 });
    const error = (await webpush.sendNotification(subscription, 'gone', options()).catch((e) => e)) as WebPushError;
    expect(error).toBeInstanceOf(webpush.WebPushError);
    expect(error.statusCode).toBe(410);
    const message = await service.waitFor((m) => m.subscriptionId === id);
    expect(message).toMatchObject({ status: 410, payloadText: 'gone' });
  });

  it('setResponse switches to 429 with Retry-After: 0, then back to 201', async () => {
    const { id, subscription } = service.createSubscription();
    service.setResponse(id, 429);
    const error = (await webpush.sendNotification(subscription, 'busy', options()).catch((e) => e)) as WebPushError;
    expect(error.statusCode).toBe(429);
    expect(error.headers['retry-after']).toBe('0');
    service.setResponse(id, 503);
    const down = (await webpush.sendNotification(subscription, 'down', options()).catch((e) => e)) as WebPushError;
    expect(down.statusCode).toBe(503);
    expect(down.headers['retry-after']).toBe('0');
    service.setResponse(id, 201);
    expect((await webpush.sendNotification(subscription, 'ok', options())).statusCode).toBe(201);
    expect(() => service.setResponse('nope', 410)).toThrow(/unknown subscription/);
  });

  it('answers 404 for an unknown subscription', async () => {
    const { subscription } = service.createSubscription();
    const unknown = { ...subscription, endpoint: `${service.origin}/push/doesnotexist` };
    const error = (await webpush.sendNotification(unknown, 'x', options()).catch((e) => e)) as WebPushError;
    expect(error.statusCode).toBe(404);
  });

  it('is not trusted without its CA', async () => {
    const { subscription } = service.createSubscription();
    const untrusting = new Agent();
    try {
      await expect(webpush.sendNotification(subscription, 'x', options({ agent: untrusting }))).rejects.toThrow(/self-signed|self signed/i);
    } finally {
      untrusting.destroy();
    }
  });
});
