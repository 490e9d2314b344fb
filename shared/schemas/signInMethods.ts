import { z } from 'zod';

/** The ways a user can sign in, as the hosted page's "Other ways to sign in" lists them. */
export const signInMethods = ['phone_sign_in', 'verification_code', 'password', 'temporary_access_pass'] as const;
export const signInMethod = z.enum(signInMethods);
export type SignInMethod = (typeof signInMethods)[number];
