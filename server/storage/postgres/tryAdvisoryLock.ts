import type pg from 'pg';

/**
 * Run `work` only if this process takes the database-wide advisory lock `name` at once; when
 * another relay holds it, do nothing and say so. The lock is held by one pooled connection for
 * the length of `work` (which may use other connections) and released after; a relay that dies
 * meanwhile loses its connection, and PostgreSQL releases the lock with it.
 */
export async function tryAdvisoryLock<T>(
  pool: pg.Pool,
  name: string,
  work: () => Promise<T>,
): Promise<{ ran: true; value: T } | { ran: false }> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    const { rows } = await client.query<{ got: boolean }>('SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS got', [name]);
    if (!rows[0].got) return { ran: false };
    try {
      return { ran: true, value: await work() };
    } finally {
      await client.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [name]).catch((error: Error) => {
        // A connection that cannot say unlock may still hold the lock: the pool must not reuse it.
        broken = error;
      });
    }
  } catch (error) {
    broken ??= error as Error;
    throw error;
  } finally {
    client.release(broken);
  }
}
