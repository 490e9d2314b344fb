/** Numbers the relay, the phone and the extension agree on. */
export const numberMatching = { min: 10, max: 99 } as const;

export const requestLifetime = {
  /** Default lifetime of a sign-in request, in seconds. */
  defaultSeconds: 120,
  /** No tenant may make requests live longer than this. */
  maxSeconds: 600,
  minSeconds: 30,
} as const;

export const temporaryAccessPassLifetime = {
  defaultMinutes: 60,
  minMinutes: 10,
  maxMinutes: 30 * 24 * 60,
} as const;

/** Saving a policy with more targets than this is refused: the admin should use a group instead. */
export const maxPolicyTargets = 200;

/** How far a device-signed call's timestamp may stray from the relay's clock, in milliseconds. */
export const deviceSignatureWindowMs = 60_000;

/** A guided enrollment code is valid this long. */
export const enrollmentCodeLifetimeSeconds = 300;

/** TOTP parameters (RFC 6238): SHA-1, 6 digits, 30 s steps. */
export const totp = { digits: 6, periodSeconds: 30, acceptedSkewSteps: 1 } as const;

export const modes = ['any', 'passwordless', 'push'] as const;
export type Mode = (typeof modes)[number];
