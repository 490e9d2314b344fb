/** A user's columns, the same on both backends, in the order the joins that read a user beside another row (a request) name them. */
export const userColumns = [
  'id',
  'tenant_id',
  'username',
  'display_name',
  'kind',
  'blocked_at',
  'disabled_at',
  'password_hash',
  'last_method',
  'created_at',
] as const;
