/**
 * A registration's columns, the same on both backends, in the order the joins that read a
 * registration beside another row (its device, a request) name them.
 */
export const registrationColumns = [
  'id',
  'tenant_id',
  'user_id',
  'device_id',
  'credential_id',
  'credential_public_key',
  'sign_count',
  'transports',
  'backup_eligible',
  'backup_state',
  'phone_sign_in_enabled',
  'totp_secret',
  'totp_last_step',
  'created_at',
  'last_used_at',
] as const;
