import { describe, expect, it } from 'vitest';
import { defaultPushHosts, isAllowedPushEndpoint } from '../../server/push/pushHosts';

describe('push endpoints go only to the push services on the list', () => {
  it.each([
    'https://fcm.googleapis.com/fcm/send/abc:APA91b',
    'https://updates.push.services.mozilla.com/wpush/v2/gAAAAA',
    'https://web.push.apple.com/QGuQyavXutnMSjmM',
    'https://wns2-by3p.notify.windows.com/w/?token=AwYAAAB',
    'https://FCM.googleapis.com/fcm/send/x',
  ])('the browsers’ push services are allowed by default: %s', (endpoint) => {
    expect(isAllowedPushEndpoint(endpoint, defaultPushHosts)).toBe(true);
  });

  it.each([
    ['http, not https', 'http://fcm.googleapis.com/fcm/send/x'],
    ['loopback', 'https://127.0.0.1:8443/push/1'],
    ['localhost', 'https://localhost/push/1'],
    ['a cloud metadata address', 'https://169.254.169.254/latest/meta-data'],
    ['a look-alike suffix', 'https://fcm.googleapis.com.evil.example/x'],
    ['a look-alike prefix', 'https://evilpush.apple.com/x'],
    ['the bare domain of a wildcard', 'https://push.apple.com/x'],
    ['user info', 'https://user:pass@fcm.googleapis.com/x'],
    ['not a URL', 'fcm.googleapis.com/x'],
  ])('refused: %s', (_, endpoint) => {
    expect(isAllowedPushEndpoint(endpoint, defaultPushHosts)).toBe(false);
  });

  it('NOD_PUSH_HOSTS entries may pin a port', () => {
    expect(isAllowedPushEndpoint('https://push.contoso.example:8443/p', ['push.contoso.example:8443'])).toBe(true);
    expect(isAllowedPushEndpoint('https://push.contoso.example/p', ['push.contoso.example:8443'])).toBe(false);
    expect(isAllowedPushEndpoint('https://push.contoso.example/p', ['push.contoso.example:443'])).toBe(true);
    expect(isAllowedPushEndpoint('https://127.0.0.1:40123/push/1', ['127.0.0.1'])).toBe(true);
  });
});
