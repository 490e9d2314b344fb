import pg from 'pg';

const int8 = 20;

/**
 * A connection pool to the relay's PostgreSQL database. Times (milliseconds since the epoch),
 * sign counters and TOTP steps are BIGINT columns; they stay far below 2^53, so they come back
 * as JavaScript numbers instead of the driver's default strings.
 */
export function openPool(url: string, onError: (error: Error) => void): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    application_name: 'nod',
    connectionTimeoutMillis: 10_000,
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === int8 ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
  });
  // An idle connection the server drops (a restart, a failover) is an 'error' event: without a
  // listener it would end the relay. The pool replaces the connection on the next query.
  pool.on('error', onError);
  return pool;
}
