import { z } from 'zod';
import { displayName, groupName } from './common';

/** Admin: create a group. */
export const groupCreate = z.object({
  name: groupName,
  displayName: displayName.optional(),
});
export type GroupCreate = z.input<typeof groupCreate>;
