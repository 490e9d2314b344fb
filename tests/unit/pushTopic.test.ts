import { describe, expect, it } from 'vitest';
import { deriveTopic, topicKeyFromVapidPrivateKey } from '../../server/push/topic';

describe('deriveTopic', () => {
  const key = Buffer.alloc(32, 7);

  it('gives 32 base64url characters, the most RFC 8030 allows, for any topic', () => {
    for (const topic of ['', 'a', 'device:0f3c', 'x'.repeat(1000), 'compte · ünïcode ✓']) {
      expect(deriveTopic(topic, key)).toMatch(/^[A-Za-z0-9_-]{32}$/);
    }
  });

  it('is stable for a topic and differs between topics and between keys', () => {
    expect(deriveTopic('device:1', key)).toBe(deriveTopic('device:1', key));
    expect(deriveTopic('device:1', key)).not.toBe(deriveTopic('device:2', key));
    expect(deriveTopic('device:1', key)).not.toBe(deriveTopic('device:1', Buffer.alloc(32, 8)));
  });

  it('keys topics from the VAPID private key, stably and without revealing it', () => {
    const privateKey = Buffer.alloc(32, 9).toString('base64url');
    const topicKey = topicKeyFromVapidPrivateKey(privateKey);
    expect(topicKey).toHaveLength(32);
    expect(topicKey.equals(topicKeyFromVapidPrivateKey(privateKey))).toBe(true);
    expect(topicKey.equals(Buffer.from(privateKey, 'base64url'))).toBe(false);
  });
});
