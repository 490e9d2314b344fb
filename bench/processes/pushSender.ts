/**
 * Figure 4's sender process: sends pushes to the loopback push endpoint (in the parent) with
 * either Nod's sender (server/push createPushSender) or `web-push`'s plain sendNotification,
 * on request over IPC:
 *   → { id, sender: 'nod' | 'web-push', count, concurrency }   ← { id, seconds, delivered, failed, cpuMs }
 * Started with NODE_EXTRA_CA_CERTS naming the endpoint's certificate, so both senders trust it
 * the ordinary way: ours through its own keep-alive agent, web-push through Node's global agent
 * (keep-alive since Node 19) — each exactly as an application would use it.
 */
import { createRequire } from 'node:module';
import { createPushSender } from '../../server/push/createPushSender';
import { deriveTopic, topicKeyFromVapidPrivateKey } from '../../server/push/topic';

const require = createRequire(import.meta.url);
const webpush = require('web-push') as typeof import('web-push');

interface Settings {
  subscriptions: { endpoint: string; expirationTime: null; keys: { p256dh: string; auth: string } }[];
  topics: string[];
}

const settings = JSON.parse(process.env.BENCH_PUSH ?? '{}') as Settings;
const vapid = webpush.generateVAPIDKeys();
const subject = 'mailto:bench@nod.invalid';
const ours = createPushSender({ vapid, subject, maxRetries: 0 });
const topicKey = topicKeyFromVapidPrivateKey(vapid.privateKey);

function payloadFor(i: number): string {
  return JSON.stringify({
    type: 'sign_in_request',
    requestId: `req${String(i).padStart(19, '0')}`,
    registrationId: settings.topics[i % settings.topics.length],
    tenant: 'contoso',
    kind: 'passwordless',
    expiresAt: new Date(Date.now() + 120_000).toISOString(),
    context: {
      applicationName: 'Contoso Portal',
      location: 'Unknown location',
      browser: 'Chrome on Linux',
      origin: 'https://portal.contoso.example',
      registeredBrowser: false,
    },
  });
}

async function sendOne(sender: string, i: number): Promise<boolean> {
  const subscription = settings.subscriptions[i % settings.subscriptions.length];
  const topic = settings.topics[i % settings.topics.length];
  const payload = payloadFor(i);
  if (sender === 'nod') {
    const result = await ours.send(subscription, payload, { ttlSeconds: 120, topic, urgency: 'high' });
    return result.outcome === 'delivered';
  }
  try {
    const result = await webpush.sendNotification(subscription, payload, {
      vapidDetails: { subject, publicKey: vapid.publicKey, privateKey: vapid.privateKey },
      TTL: 120,
      urgency: 'high',
      // The same Topic header value Nod would send (the derivation is the caller's work either way).
      topic: deriveTopic(topic, topicKey),
    });
    return result.statusCode === 201;
  } catch {
    return false;
  }
}

process.on('message', async (message: { id: number; sender: string; count: number; concurrency: number }) => {
  let next = 0;
  let delivered = 0;
  let failed = 0;
  const cpuBefore = process.cpuUsage();
  const start = performance.now();
  await Promise.all(
    Array.from({ length: message.concurrency }, async () => {
      while (next < message.count) {
        const i = next++;
        if (await sendOne(message.sender, i)) delivered++;
        else failed++;
      }
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  process.send?.({ id: message.id, seconds, delivered, failed, cpuMs: (cpu.user + cpu.system) / 1000 });
});
process.on('disconnect', () => {
  ours.close();
  process.exit(0);
});
process.send?.({ type: 'ready' });
