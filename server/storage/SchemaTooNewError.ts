/**
 * The database was migrated by a newer relay than this one: running on it could misread or
 * overwrite what the newer schema means, so the relay refuses to start.
 */
export class SchemaTooNewError extends Error {
  constructor(
    readonly backend: 'SQLite' | 'PostgreSQL',
    readonly found: number,
    readonly known: number,
  ) {
    super(
      `the ${backend} database is at schema version ${found}, newer than this relay knows (${known}): ` +
        'run the newer relay that migrated it, or restore a backup made before',
    );
    this.name = 'SchemaTooNewError';
  }
}
