/** A tenant's columns, the same on both backends, in the order the joins that read a tenant beside another row (a user, a request) name them. */
export const tenantColumns = ['id', 'name', 'display_name', 'sign_in_origins', 'created_at'] as const;
