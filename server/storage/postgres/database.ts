import { createRequire } from 'node:module';
import pg from 'pg';

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
  /** Runs one statement on its own (autocommit), as `rows` does, and answers the driver's result. */
  query(s: Statement, values: unknown[]): Promise<pg.QueryResult<Row>>;
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

const on = (query: (s: Statement, values: unknown[]) => Promise<pg.QueryResult<Row>>): Sql => ({
  rows(s, values) {
    if (findsNothing(s, values)) return Promise.resolve([]);
    return query(s, values).then(rowsOf);
  },
  one(s, values) {
    if (findsNothing(s, values)) return Promise.resolve(undefined);
    return query(s, values).then(firstRowOf);
  },
  run(s, values) {
    return query(s, values).then(rowCountOf);
  },
});

const onClient = (client: pg.PoolClient) => on((s, values) => client.query<Row>({ name: s.name, text: s.text, values }));

interface Field {
  name: string;
  dataTypeID: number;
  format: string;
}

/** What pg's Query holds of a result that StatementQuery reuses: the columns, their parsers and the empty row. */
interface QueryInternals {
  name?: string;
  values: unknown[];
  _result: { fields: Field[]; _parsers?: unknown[]; _prebuiltEmptyResultObject: unknown; addFields(fields: Field[]): void };
  _accumulateRows: boolean;
  prepare(connection: Connection): void;
  handleCommandComplete(message: unknown, connection: Connection): void;
  handleError(error: Error, connection: Connection): void;
}

/** The parts of pg's connection StatementQuery writes to. */
interface Connection {
  parsedStatements: Record<string, string>;
  bind(config: { portal: string; statement: string; values: unknown[]; binary: boolean; valueMapper: unknown }): void;
  execute(config: { portal: string; rows: undefined }): void;
  close(config: { type: 'S'; name: string }): void;
  sync(): void;
}

/** How pg turns a parameter into its text (dates, arrays, JSON objects), as its own prepare does. */
const prepareValue: unknown = createRequire(import.meta.url)('pg/lib/utils.js').prepareValue;

/** The columns a statement answers with, their parsers and the empty row pg copies for each row; null when it answers no rows. */
type Shape = { fields: Field[]; parsers: unknown[] | undefined; empty: unknown } | null;

/** The shape each statement last answered with, by name: a statement whose columns are the same reuses its parsers. */
const shapes = new Map<string, Shape>();

/**
 * What each statement prepared on a connection answers, by connection and name, once one of its
 * answers there came complete. A prepared statement's columns are fixed for its life: PostgreSQL
 * refuses to run it ("cached plan must not change result type") rather than answer others.
 */
const described = new WeakMap<Connection, Map<string, Shape>>();

const sameFields = (a: Field[], b: Field[]) => {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    if (a[i].name !== b[i].name || a[i].dataTypeID !== b[i].dataTypeID || a[i].format !== b[i].format) return false;
  }
  return true;
};

/**
 * pg's Query for one of our statements, made the cheap way (pg copies a config object's every
 * property descriptor; from text and values it does not). The first time a statement runs on a
 * connection it is described as pg does (the server answers its columns), and what it answered is
 * kept (reusing the parsers of a statement with the same columns: pg builds them anew for each
 * answer). From then on, on that connection, it is only bound, executed and synced: no Describe
 * sent, no column list for the server to send and the relay to read.
 */
class StatementQuery extends (pg.Query as unknown as new (text: string, values: unknown[]) => QueryInternals) {
  private connection: Connection | undefined;
  private shape: Shape | undefined;

  constructor(
    s: Statement,
    values: unknown[],
    readonly callback: (error: Error | undefined, result: pg.QueryResult<Row>) => void,
  ) {
    super(s.text, values);
    this.name = s.name;
  }

  override prepare(connection: Connection) {
    const name = this.name!;
    const shape = connection.parsedStatements[name] === undefined ? undefined : described.get(connection)?.get(name);
    if (shape === undefined) {
      this.connection = connection;
      super.prepare(connection);
      return;
    }
    if (shape) this.use(shape);
    // As pg's own: with a callback, the rows are kept for it.
    this._accumulateRows = true;
    try {
      connection.bind({ portal: '', statement: name, values: this.values, binary: false, valueMapper: prepareValue });
    } catch (error) {
      // As pg's own: a value that cannot be sent fails the statement, and the connection goes on.
      connection.close({ type: 'S', name });
      connection.sync();
      this.handleError(error as Error, connection);
      return;
    }
    connection.execute({ portal: '', rows: undefined });
    connection.sync();
  }

  private use(shape: NonNullable<Shape>) {
    const result = this._result;
    result.fields = shape.fields;
    result._parsers = shape.parsers;
    result._prebuiltEmptyResultObject = shape.empty;
  }

  handleRowDescription(message: { fields: Field[] }) {
    const known = shapes.get(this.name!);
    if (known && sameFields(known.fields, message.fields)) this.shape = known;
    else {
      const result = this._result;
      result.addFields(message.fields);
      this.shape = { fields: message.fields, parsers: result._parsers, empty: result._prebuiltEmptyResultObject };
      shapes.set(this.name!, this.shape);
    }
    this.use(this.shape);
    // As pg's own: with a callback, the rows are kept for it.
    this._accumulateRows = true;
  }

  override handleCommandComplete(message: unknown, connection: Connection) {
    // Described and run to the end: its columns (or none, if no column list came) are known on this connection.
    if (this.connection) {
      let statements = described.get(this.connection);
      if (!statements) {
        statements = new Map();
        described.set(this.connection, statements);
      }
      statements.set(this.name!, this.shape ?? null);
    }
    super.handleCommandComplete(message, connection);
  }
}

/** One shared connection in pipeline mode, and how many of its statements are unanswered. */
interface Line {
  client: pg.Client;
  connected: Promise<void>;
  ready: boolean;
  inFlight: number;
  /** Its socket holds writes until the end of this turn of the event loop. */
  corked: boolean;
  gone: boolean;
}

/**
 * Statements outside a transaction go out over a few connections shared by every caller, in the
 * driver's pipeline mode: each is written at once, without waiting for the answers to those
 * before it, and each ends with its own Sync, so it is its own transaction and one's failure
 * touches no other. The statements of one turn of the event loop leave in one write per
 * connection (the socket is corked until the turn ends). A statement joins a connection that
 * already has a write open in this turn while that one has fewer than `batch` unanswered (one
 * write instead of several, one server process woken instead of several); otherwise it goes to
 * the connection with the fewest unanswered, and a new one is opened (up to `size`) while all are
 * busy. A connection the server drops fails its unanswered statements (storage trouble, as on
 * the pool) and is replaced on the next statement. Compared with a pool checkout per statement:
 * no checkout, fewer writes and reads on both sides, fewer server processes.
 */
function sharedConnections(config: pg.ClientConfig, size: number, batch = 16) {
  const lines: Line[] = [];
  let closed = false;

  const drop = (line: Line) => {
    if (line.gone) return;
    line.gone = true;
    lines.splice(lines.indexOf(line), 1);
    line.client.end().catch(() => {});
  };

  const open = (): Line => {
    const client = new pg.Client({ ...config, pipeline: true } as pg.ClientConfig);
    const line: Line = { client, connected: Promise.resolve(), ready: false, inFlight: 0, corked: false, gone: false };
    // Its unanswered statements get the error; the connection is not used again.
    client.on('error', () => drop(line));
    client.on('end', () => drop(line));
    line.connected = client.connect().then(
      () => {
        line.ready = true;
      },
      (error: Error) => {
        drop(line);
        throw error;
      },
    );
    line.connected.catch(() => {});
    lines.push(line);
    return line;
  };

  const pick = (): Line => {
    let best: Line | undefined;
    for (const line of lines) {
      if (line.corked && line.inFlight < batch) return line;
      if (!best || line.inFlight < best.inFlight) best = line;
    }
    if (!best || (best.inFlight > 0 && lines.length < size)) return open();
    return best;
  };

  /** Writes one statement on `line` (counted in its inFlight until answered); its answer settles the promise. */
  const send = (line: Line, s: Statement, values: unknown[]) =>
    new Promise<pg.QueryResult<Row>>((resolve, reject) => {
      let answered = false;
      const settle = () => {
        if (answered) return false;
        answered = true;
        line.inFlight--;
        return true;
      };
      try {
        if (!line.corked) {
          const stream = (line.client as unknown as { connection: { stream: { cork(): void; uncork(): void } } }).connection.stream;
          line.corked = true;
          stream.cork();
          setImmediate(() => {
            line.corked = false;
            stream.uncork();
          });
        }
        const query = new StatementQuery(s, values, (error, result) => {
          if (!settle()) return;
          if (error) reject(error);
          else resolve(result);
        });
        line.client.query(query as unknown as pg.Submittable);
      } catch (error) {
        settle();
        reject(error);
      }
    });

  return {
    query(s: Statement, values: unknown[]): Promise<pg.QueryResult<Row>> {
      if (closed) return Promise.reject(new Error('Connection terminated: the storage is closed'));
      const line = pick();
      line.inFlight++;
      // No async layers: one promise per statement, settled by its answer.
      if (line.ready) return send(line, s, values);
      return line.connected.then(
        () => send(line, s, values),
        (error: unknown) => {
          line.inFlight--;
          throw error;
        },
      );
    },
    async close() {
      closed = true;
      const ending = lines.splice(0);
      for (const line of ending) line.gone = true;
      await Promise.all(ending.map((line) => line.client.end().catch(() => {})));
    },
  };
}

/**
 * The shared connections' statement runner of each pool a PostgresDatabase was made on: code that
 * is handed only the pool (the event bus's NOTIFYs) sends its statements the same way.
 */
const sharedOf = new WeakMap<pg.Pool, (s: Statement, values: unknown[]) => Promise<pg.QueryResult<Row>>>();

/** Runs a statement on its own through the pool's shared connections (see sharedConnections), or on the pool when it has none. */
export const queryShared = (pool: pg.Pool, s: Statement, values: unknown[]): Promise<pg.QueryResult<Row>> =>
  sharedOf.get(pool)?.(s, values) ?? pool.query<Row>({ name: s.name, text: s.text, values });

/** How many shared connections carry the statements outside transactions. */
const sharedConnectionCount = 4;

export function postgresDatabase(pool: pg.Pool): PostgresDatabase {
  const shared = sharedConnections((pool as unknown as { options: pg.ClientConfig }).options, sharedConnectionCount);
  sharedOf.set(pool, shared.query);
  return {
    pool,
    ...on(shared.query),
    query: shared.query,
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
