import { z } from 'zod';
import { auditEventView, signInLogQuery } from './directory';

/** Admin: the sign-in log as a file (`GET …/sign-ins/export?format=csv|json`), with the sign-in log's filters. */
export const signInLogExportQuery = signInLogQuery.extend({
  format: z.enum(['csv', 'json'], { error: 'csv or json' }).default('csv'),
  limit: z.coerce.number().int().min(1).max(10_000).default(1000),
});

/** Admin: "No, it's not me" reports, blocked phishing attempts (a wrong number) and abuse limits that started holding (`GET …/reports`). */
export const securityReports = z.object({ reports: z.array(auditEventView) });

/** One admin change with who made it: the admin (from the admin center) or the command line. */
export const adminChangeView = auditEventView.extend({
  /** The admin's username, or `command line`, or the admin token's label. */
  actor: z.string().nullable(),
  actorRole: z.string().nullable(),
});
export type AdminChangeView = z.infer<typeof adminChangeView>;

/** Admin: `GET …/changes` — the audit log of admin changes, newest first. */
export const adminChanges = z.object({ changes: z.array(adminChangeView) });

/** Admin: `GET …/changes` filters. */
export const adminChangesQuery = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(200),
});
