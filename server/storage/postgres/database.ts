import pg from 'pg';
import {
  type Answer,
  PipelinedConnection,
  type Row,
  type Statement,
  type Want,
  wantAnswer,
  wantCount,
  wantOne,
  wantRows,
} from './pipelinedConnection';

export type { Answer, Row, Statement };

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
  /** Runs one statement on its own (autocommit), as `rows` does, and answers its rows and row count. */
  query(s: Statement, values: unknown[]): Promise<Answer>;
  /** Closes the shared connections (the pool is closed apart). */
  close(): Promise<void>;
}

/**
 * PostgreSQL's text cannot hold U+0000, so no row matches a key that contains it; the server would
 * refuse the parameter outright. A lookup by such a key (an id from a URL or a form the relay does
 * not parse itself) finds nothing instead of failing; a write of one still fails.
 */
const findsNothing = (s: Statement, values: unknown[]) => {
  for (const value of values) if (typeof value === 'string' && value.includes('\u0000')) return isSelect(s);
  return false;
};

/** Whether each statement reads (looked at once per statement, not on every run). */
const selects = new WeakMap<Statement, boolean>();
const isSelect = (s: Statement) => {
  let select = selects.get(s);
  if (select === undefined) {
    select = /^\s*SELECT\b/i.test(s.text);
    selects.set(s, select);
  }
  return select;
};

const rowsOf = (result: pg.QueryResult<Row>) => result.rows;
const firstRowOf = (result: pg.QueryResult<Row>) => result.rows[0];
const rowCountOf = (result: pg.QueryResult<Row>) => result.rowCount ?? 0;

/** A transaction's connection: pg's own queries, each statement prepared on its first run there. */
const onClient = (client: pg.PoolClient): Sql => ({
  rows(s, values) {
    if (findsNothing(s, values)) return Promise.resolve([]);
    return client.query<Row>({ name: s.name, text: s.text, values }).then(rowsOf);
  },
  one(s, values) {
    if (findsNothing(s, values)) return Promise.resolve(undefined);
    return client.query<Row>({ name: s.name, text: s.text, values }).then(firstRowOf);
  },
  run(s, values) {
    return client.query<Row>({ name: s.name, text: s.text, values }).then(rowCountOf);
  },
});

/**
 * Statements outside a transaction go out over a few connections shared by every caller, each
 * pipelined (see PipelinedConnection): each statement is written at once, without waiting for the
 * answers to those before it, and each ends with its own Sync, so it is its own transaction and
 * one's failure touches no other. The statements of one turn of the event loop leave in one write
 * per connection, and while a connection's last write is unanswered what is written to it waits
 * and leaves in one write when the answers are in. A statement joins a connection with statements
 * waiting to be sent while fewer than `batch` wait there (one write instead of several, one server
 * process woken instead of several); otherwise it goes to the connection with the fewest unanswered, and a new one is
 * opened (up to `size`) while all are busy. A connection lost fails its unanswered statements
 * (storage trouble, as on the pool) and is replaced on the next statement. Compared with a pool
 * checkout per statement: no checkout, fewer writes and reads on both sides, fewer server processes.
 */
function sharedConnections(config: pg.ClientConfig, size: number, batch = 16) {
  const lines: PipelinedConnection[] = [];
  let closed = false;
  const types = (config.types ?? pg.types) as { getTypeParser(oid: number, format: 'text'): (text: string) => unknown };
  const typeParser = (oid: number) => types.getTypeParser(oid, 'text');
  const gone = (line: PipelinedConnection) => {
    const at = lines.indexOf(line);
    if (at >= 0) lines.splice(at, 1);
  };

  const pick = (): PipelinedConnection => {
    let best: PipelinedConnection | undefined;
    for (const line of lines) {
      if (line.waiting > 0 && line.waiting < batch) return line;
      if (!best || line.inFlight < best.inFlight) best = line;
    }
    if (!best || (best.inFlight > 0 && lines.length < size)) {
      const line = PipelinedConnection.open(config, typeParser, gone);
      lines.push(line);
      return line;
    }
    return best;
  };

  const send = (s: Statement, values: unknown[], want: Want): Promise<never> => {
    if (closed) return Promise.reject(new Error('Connection terminated: the storage is closed'));
    return pick().send(s, values, want);
  };

  const sql: Sql & { query(s: Statement, values: unknown[]): Promise<Answer> } = {
    rows(s, values) {
      if (findsNothing(s, values)) return Promise.resolve([]);
      return send(s, values, wantRows);
    },
    one(s, values) {
      if (findsNothing(s, values)) return Promise.resolve(undefined);
      return send(s, values, wantOne);
    },
    run(s, values) {
      return send(s, values, wantCount);
    },
    query(s, values) {
      return send(s, values, wantAnswer);
    },
  };
  return {
    sql,
    async close() {
      closed = true;
      await Promise.all(lines.splice(0).map((line) => line.end()));
    },
  };
}

/**
 * The shared connections' statement runner of each pool a PostgresDatabase was made on: code that
 * is handed only the pool (the event bus's NOTIFYs) sends its statements the same way.
 */
const sharedOf = new WeakMap<pg.Pool, (s: Statement, values: unknown[]) => Promise<Answer>>();

/** Runs a statement on its own through the pool's shared connections (see sharedConnections), or on the pool when it has none. */
export const queryShared = (pool: pg.Pool, s: Statement, values: unknown[]): Promise<Answer> =>
  sharedOf.get(pool)?.(s, values) ??
  pool.query<Row>({ name: s.name, text: s.text, values }).then(({ rows, rowCount }) => ({ rows, rowCount: rowCount ?? 0 }));

/**
 * How many shared connections carry the statements outside transactions. Two rather than four:
 * more statements per write, fewer server processes woken (bench figure 6, same lock, c=64:
 * PostgreSQL backends 2.12–2.18 ms per sign-in against 2.54–2.56 with four; relay CPU the same).
 */
export const sharedConnectionCount = 2;

export function postgresDatabase(pool: pg.Pool): PostgresDatabase {
  const shared = sharedConnections((pool as unknown as { options: pg.ClientConfig }).options, sharedConnectionCount);
  sharedOf.set(pool, shared.sql.query);
  return {
    pool,
    ...shared.sql,
    close: shared.close,
    async transaction(work) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await work(onClient(client));
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
