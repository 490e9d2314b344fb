import type { FastifyReply, FastifyRequest } from 'fastify';
import { deviceEvents } from '../../../shared/schemas/devices';
import type { RelayContext } from '../../context';
import { openEventStream } from '../../http/eventStream';
import type { Device } from '../../storage/model';
import type { DeviceNotice } from './SignInEventBus';
import { pendingForDevice } from './pendingForDevice';
import { requestForDevice } from './requestForDevice';

/**
 * A phone's live channel: every pending request for its accounts first, then each request
 * offered to it (its details read from storage, as the device may see them) and each one that
 * closed, and `accounts` whenever what it shows of its accounts changed (for this device, or
 * for its whole tenant). Notices are handled one at a time, in order, so a request's `closed`
 * never overtakes its `request`. After `resync` the stream ends, and the phone reconnects for a
 * fresh list.
 */
export async function watchDeviceEvents(ctx: RelayContext, device: Device, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  await ctx.storage.devices.touch(device.id, ctx.now());
  let queue = Promise.resolve();
  const stream = openEventStream(request, reply, deviceEvents, () => unsubscribe());
  const handle = async (notice: DeviceNotice | 'pending') => {
    if (stream.closed) return;
    if (notice === 'pending') {
      for (const pending of await pendingForDevice(ctx, device)) stream.send('request', { type: 'request', request: pending });
    } else if (notice.type === 'resync') {
      // Notices may have been lost: end the stream; the phone reconnects and reads its whole list.
      stream.close();
    } else if (notice.type === 'closed') {
      stream.send('closed', { type: 'closed', requestId: notice.requestId, status: notice.status });
    } else if (notice.type === 'accounts') {
      stream.send('accounts', { type: 'accounts' });
    } else {
      const details = await requestForDevice(ctx, device, notice.requestId);
      if (details) stream.send('request', { type: 'request', request: details });
    }
  };
  const next = (notice: DeviceNotice | 'pending') => {
    queue = queue.then(() => handle(notice)).catch((error) => ctx.log.warn({ err: error, deviceId: device.id }, 'device event failed'));
  };
  const unsubscribeDevice = ctx.events.subscribeDevice(device.id, next);
  const unsubscribeTenant = ctx.events.subscribeTenant(device.tenantId, next);
  const unsubscribe = () => {
    unsubscribeDevice();
    unsubscribeTenant();
  };
  next('pending');
  await queue;
}
