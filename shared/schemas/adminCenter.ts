import { z } from 'zod';

/** The admin center's roles, as the seed names them. */
export const adminCenterRole = z.enum(['global_administrator', 'authentication_policy_administrator', 'helpdesk_administrator']);
export type AdminCenterRole = z.infer<typeof adminCenterRole>;

export const adminCenterRoleNames: Record<AdminCenterRole, string> = {
  global_administrator: 'Global Administrator',
  authentication_policy_administrator: 'Authentication Policy Administrator',
  helpdesk_administrator: 'Helpdesk Administrator',
};

/** Who is signed in to the admin center. */
export const adminCenterSession = z.object({
  tenant: z.string(),
  tenantDisplayName: z.string(),
  username: z.string(),
  displayName: z.string(),
  roles: z.array(adminCenterRole),
});
export type AdminCenterSession = z.infer<typeof adminCenterSession>;

/** The admin center page's boot data: the signed-in admin, or why nobody is. */
export const adminCenterBoot = z.union([
  z.object({ signedIn: z.literal(true), session: adminCenterSession }),
  z.object({
    signedIn: z.literal(false),
    message: z.string().optional(),
    /** What was typed, given back to the form: the username, and the organization's name under Other organization. */
    username: z.string().optional(),
    tenant: z.string().optional(),
    /** Show the Other organization field (the username's domain found no organization, or a name was given). */
    otherOrganization: z.boolean().optional(),
  }),
]);
export type AdminCenterBoot = z.infer<typeof adminCenterBoot>;
