import type pg from 'pg';

export type Row = Record<string, unknown>;

/** A statement prepared once per pooled connection under its name, then only bound and run. */
export interface Statement {
  name: string;
  text: string;
}

/** Names are per connection and must be unique across the relay's statements: each table file prefixes its own. */
export const statement = (name: string, text: string): Statement => ({ name: `nod_${name}`, text });

/** What both the pool and a transaction's connection can run. */
export interface Sql {
  rows(statement: Statement, values: unknown[]): Promise<Row[]>;
  one(statement: Statement, values: unknown[]): Promise<Row | undefined>;
  /** Runs a write and returns how many rows it changed. */
  run(statement: Statement, values: unknown[]): Promise<number>;
}

export interface PostgresDatabase extends Sql {
  pool: pg.Pool;
  /** Runs `work` in one transaction on one connection: all of it is committed, or none. */
  transaction<T>(work: (sql: Sql) => Promise<T>): Promise<T>;
}

/**
 * PostgreSQL's text cannot hold U+0000, so no row matches a key that contains it; the server would
 * refuse the parameter outright. A lookup by such a key (an id from a URL or a form the relay does
 * not parse itself) finds nothing instead of failing; a write of one still fails.
 */
const findsNothing = (s: Statement, values: unknown[]) =>
  /^\s*SELECT\b/i.test(s.text) && values.some((value) => typeof value === 'string' && value.includes('\u0000'));

const on = (client: pg.Pool | pg.PoolClient): Sql => ({
  async rows(s, values) {
    if (findsNothing(s, values)) return [];
    return (await client.query<Row>({ name: s.name, text: s.text, values })).rows;
  },
  async one(s, values) {
    if (findsNothing(s, values)) return undefined;
    return (await client.query<Row>({ name: s.name, text: s.text, values })).rows[0];
  },
  async run(s, values) {
    return (await client.query({ name: s.name, text: s.text, values })).rowCount ?? 0;
  },
});

export function postgresDatabase(pool: pg.Pool): PostgresDatabase {
  return {
    pool,
    ...on(pool),
    async transaction(work) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await work(on(client));
        await client.query('COMMIT');
        client.release();
        return result;
      } catch (error) {
        // A connection whose ROLLBACK fails is in an unknown state: the pool drops it instead of reusing it.
        await client.query('ROLLBACK').then(
          () => client.release(),
          (rollbackError: Error) => client.release(rollbackError),
        );
        throw error;
      }
    },
  };
}
