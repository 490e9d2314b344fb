import type { AuthenticatorEnrollment } from '../../shared/schemas/hostedPages';
import type { RelayContext } from '../context';
import type { Tenant, User } from '../storage/model';
import { createEnrollmentCode } from './createEnrollmentCode';

/**
 * A one-time enrollment code as the phone app's link (`<relay>/app/#/enroll?code=…`) and a QR
 * code of it: what My Sign-ins shows a user, and the admin center a helpdesk admin.
 */
export async function enrollmentLink(ctx: RelayContext, tenant: Tenant, user: User): Promise<AuthenticatorEnrollment> {
  const { enrollmentCode, expiresAt } = await createEnrollmentCode(ctx, tenant, user);
  const link = `${ctx.config.publicUrl}/app/#/enroll?code=${encodeURIComponent(enrollmentCode)}`;
  // Loaded on first use: most relay processes never draw a QR code.
  const { default: QRCode } = await import('qrcode');
  const svg = await QRCode.toString(link, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
  return {
    link,
    qrCode: `data:image/svg+xml;base64,${Buffer.from(svg, 'utf8').toString('base64')}`,
    expiresAt: new Date(expiresAt).toISOString(),
  };
}
