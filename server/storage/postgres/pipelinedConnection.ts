import { channel } from 'node:diagnostics_channel';
import { createRequire } from 'node:module';
import type { Duplex } from 'node:stream';
import pg from 'pg';

/**
 * The relay's own PostgreSQL wire protocol for the statements that run outside a transaction, and
 * the one place that depends on the pg driver's internals (`client.connection.stream`, its 'data'
 * listener, `pg/lib/utils` prepareValue).
 *
 * pg.Client opens the connection (TLS, authentication, startup): it speaks PostgreSQL's handshake
 * and we do not. Once it is ready, this takes the socket over: pg's reader is removed and pg is
 * left with nothing to run. From then on each statement is written as PostgreSQL's extended
 * protocol messages straight into one buffer per connection (Parse and Describe the first time a
 * statement runs on it, then only Bind, Execute, Sync), the statements of one turn of the event
 * loop leave in one write, and the answers are read from the socket's bytes straight into row
 * objects (no Query, Result, message objects or events per statement, row and message). pg still
 * watches the socket: its 'error' and 'end' tell us the connection is lost.
 *
 * Each statement ends with its own Sync, so it is its own transaction and one's failure touches no
 * other; the answers come back in the order the statements were written, each ending with
 * ReadyForQuery. A connection lost (the server restarted, pg_terminate_backend, the socket cut) or
 * a FATAL error fails every statement written on it and not yet answered, and the connection is not
 * used again (`onGone`).
 */

export type Row = Record<string, unknown>;

/** A statement prepared once per connection under its name, then only bound and run. */
export interface Statement {
  name: string;
  text: string;
}

/** What a statement answers: its rows, and how many rows it returned or changed. */
export interface Answer {
  rows: Row[];
  rowCount: number;
}

/** What the caller wants of the answer (one promise per statement, settled with just that). */
export const wantRows = 0;
export const wantOne = 1;
export const wantCount = 2;
export const wantAnswer = 3;
export type Want = typeof wantRows | typeof wantOne | typeof wantCount | typeof wantAnswer;

/**
 * Every statement written, for tools that count them (`npm run bench -- --sql-trace`): subscribers
 * get `{ text, answered }`, a promise settled with the statement. Costs nothing unsubscribed.
 */
export const statementChannel = channel('nod:postgres:statement');

/** How pg turns a parameter into its text (dates, arrays, JSON objects), as its own Bind does. */
const prepareValue: (value: unknown) => unknown = createRequire(import.meta.url)('pg/lib/utils.js').prepareValue;

type Parser = ((text: string) => unknown) | null;

/**
 * A statement's columns: how each column's text becomes a value (null: the text as it is), and
 * the row made of the values (an object literal with the statement's column names, made once per
 * shape, so every row of a statement is built the same fast way and has the same hidden class).
 */
interface Shape {
  parsers: Parser[];
  row: (values: unknown[]) => Row;
}

/** A statement on one connection: Parse sent (and answered, `parsed`), its columns once described. */
interface Prepared {
  parsed: boolean;
  shape: Shape | undefined;
}

/** One statement written and not yet answered. */
interface Call {
  prepared: Prepared;
  want: Want;
  rows: Row[] | undefined;
  count: number;
  error: Error | undefined;
  resolve: (value: never) => void;
  reject: (error: Error) => void;
}

/** Types whose text is the value: text, varchar, name, char, bpchar. */
const textTypes = new Set([25, 1043, 19, 18, 1042]);

const noShape: Shape = { parsers: [], row: () => ({}) };

/** The function that makes a row of these columns from its values (a later column of the same name wins, as in pg). */
const rowMaker = (names: string[]) =>
  new Function('values', `return { ${names.map((name, i) => `${JSON.stringify(name)}: values[${i}]`).join(', ')} };`) as (
    values: unknown[],
  ) => Row;

const execute = Buffer.from([0x45, 0, 0, 0, 9, 0, 0, 0, 0, 0]);
const sync = Buffer.from([0x53, 0, 0, 0, 4]);
const terminated = () => new Error('Connection terminated unexpectedly');

/** The connections with writes held until this turn of the event loop ends. */
const held: PipelinedConnection[] = [];
const flushHeld = () => {
  for (const connection of held.splice(0)) connection.flush();
};

export class PipelinedConnection {
  /** Statements written and not yet answered (ReadyForQuery), first written first. */
  private readonly calls: Call[] = [];
  private head = 0;
  private readonly prepared = new Map<string, Prepared>();
  private stream: Duplex | undefined;
  /** Bytes written and not yet sent (held until the turn ends, the answers to the last write are in, or connected). */
  private out = Buffer.allocUnsafeSlow(16_384);
  private length = 0;
  private heldThisTurn = false;
  /** Statements in `out`, not yet sent. */
  private queued = 0;
  /** Statements sent and not yet answered: while there are any, what is written waits in `out`. */
  private sent = 0;
  /** An incomplete message's bytes, until the rest arrives. */
  private partial: Buffer[] = [];
  private partialLength = 0;
  /** A row's values while it is read (reused: the row is made of them at once). */
  private readonly values: unknown[] = [];
  private ended = false;
  private ending: Promise<void> | undefined;
  private drained: (() => void) | undefined;
  /** Writes made to the socket so far (each wakes the server process once). */
  writes = 0;
  /** Set once the connection is lost or closed: it takes no more statements. */
  gone = false;
  readonly connected: Promise<void>;

  private constructor(
    private readonly client: pg.Client,
    private readonly typeParser: (oid: number) => Parser,
    private readonly onGone: (connection: PipelinedConnection) => void,
  ) {
    const lost = (error: Error) => this.fail(error);
    client.on('error', lost);
    client.on('end', () => lost(terminated()));
    this.connected = client.connect().then(
      () => this.adopt(),
      (error: Error) => {
        this.fail(error);
        throw error;
      },
    );
    this.connected.catch(() => {});
  }

  /**
   * Opens a connection (with the pool's settings); statements can be sent at once and leave when
   * it is ready. `typeParser` turns a column's type into its parser (the pool's own choice of types).
   */
  static open(config: pg.ClientConfig, typeParser: (oid: number) => Parser, onGone: (connection: PipelinedConnection) => void) {
    return new PipelinedConnection(new pg.Client(config), typeParser, onGone);
  }

  /** Statements written and not yet answered. */
  get inFlight() {
    return this.calls.length - this.head;
  }

  /** Statements written and not yet sent: one joining them goes out in the same write. */
  get waiting() {
    return this.queued;
  }

  send(s: Statement, values: unknown[], want: Want): Promise<never> {
    if (this.gone) return Promise.reject(terminated());
    let prepared = this.prepared.get(s.name);
    const start = this.length;
    const fresh = prepared === undefined;
    try {
      if (prepared === undefined) {
        prepared = { parsed: false, shape: undefined };
        this.writeParse(s);
      }
      this.writeBind(s.name, values);
    } catch (error) {
      // A value that cannot be sent fails its statement, and nothing of it is written.
      this.length = start;
      return Promise.reject(error);
    }
    if (fresh) this.prepared.set(s.name, prepared);
    this.write(execute);
    this.write(sync);
    this.hold();
    const answered = new Promise<never>((resolve, reject) => {
      this.calls.push({ prepared, want, rows: undefined, count: 0, error: undefined, resolve, reject });
    });
    this.queued++;
    if (statementChannel.hasSubscribers) statementChannel.publish({ text: s.text, answered });
    return answered;
  }

  /** Waits for the statements written to be answered, then says goodbye to the server. */
  end(): Promise<void> {
    this.ending ??= (async () => {
      if (this.inFlight > 0 && !this.gone) {
        this.flush();
        await new Promise<void>((resolve) => {
          this.drained = resolve;
        });
      }
      this.gone = true;
      if (this.ended) return;
      this.ended = true;
      await this.client.end().catch(() => {});
    })();
    return this.ending;
  }

  /**
   * Sends what was written (called when the turn ends), unless the last write is not answered yet:
   * then it leaves when that answer is in, with whatever was written meanwhile. Under load the
   * statements of several turns share one write (one wake-up of the server process, one of ours
   * for the answers) instead of one write per turn; alone, a statement leaves at the end of its turn.
   */
  flush() {
    this.heldThisTurn = false;
    if (this.length === 0 || !this.stream || this.gone || this.sent > 0) return;
    const bytes = Buffer.allocUnsafe(this.length);
    this.out.copy(bytes, 0, 0, this.length);
    this.length = 0;
    this.sent = this.queued;
    this.queued = 0;
    this.writes++;
    this.stream.write(bytes);
  }

  private hold() {
    if (this.heldThisTurn) return;
    this.heldThisTurn = true;
    if (held.length === 0) setImmediate(flushHeld);
    held.push(this);
  }

  /** pg has connected: its reader is replaced by ours, and what was written meanwhile leaves. */
  private adopt() {
    const stream = (this.client as unknown as { connection: { stream: Duplex } }).connection.stream;
    stream.removeAllListeners('data');
    stream.on('data', (chunk: Buffer) => this.read(chunk));
    this.stream = stream;
    if (!this.heldThisTurn) this.flush();
  }

  /** Every statement not yet answered fails with `error`; the connection is not used again. */
  private fail(error: Error) {
    const first = !this.gone;
    this.gone = true;
    const calls = this.calls.splice(this.head);
    this.head = 0;
    this.sent = 0;
    this.queued = 0;
    this.calls.length = 0;
    for (const call of calls) call.reject(call.error ?? error);
    this.drained?.();
    if (first) {
      this.onGone(this);
      if (!this.ended) {
        this.ended = true;
        this.client.end().catch(() => {});
      }
    }
  }

  // Writing: messages go into `out`, grown as needed.

  private room(bytes: number) {
    if (this.length + bytes <= this.out.length) return;
    const bigger = Buffer.allocUnsafeSlow(Math.max(this.out.length * 2, this.length + bytes));
    this.out.copy(bigger, 0, 0, this.length);
    this.out = bigger;
  }

  private write(bytes: Buffer) {
    this.room(bytes.length);
    bytes.copy(this.out, this.length);
    this.length += bytes.length;
  }

  private int16(value: number) {
    this.out.writeUInt16BE(value, this.length);
    this.length += 2;
  }

  private int32(value: number, at = this.length) {
    this.out.writeInt32BE(value, at);
    if (at === this.length) this.length += 4;
  }

  /** A NUL-terminated string (room for it already made). */
  private cstring(text: string) {
    this.length += this.out.write(text, this.length, 'utf8');
    this.out[this.length++] = 0;
  }

  /** Parse (named, no parameter types given) and Describe the statement: its columns come before its rows. */
  private writeParse(s: Statement) {
    this.room(1 + 4 + 3 * (s.name.length + s.text.length) + 2 + 2 + 1 + 4 + 1 + 3 * s.name.length + 1);
    let at = this.length;
    this.out[this.length++] = 0x50;
    this.length += 4;
    this.cstring(s.name);
    this.cstring(s.text);
    this.int16(0);
    this.int32(this.length - at - 1, at + 1);
    at = this.length;
    this.out[this.length++] = 0x44;
    this.length += 4;
    this.out[this.length++] = 0x53;
    this.cstring(s.name);
    this.int32(this.length - at - 1, at + 1);
  }

  /** Bind the statement's values to the unnamed portal; every column answered as text. */
  private writeBind(name: string, values: unknown[]) {
    const count = values.length;
    this.room(1 + 4 + 1 + 3 * name.length + 1 + 2 + 2 * count + 2 + 4 * count + 4);
    const at = this.length;
    this.out[this.length++] = 0x42;
    this.length += 4;
    this.out[this.length++] = 0;
    this.cstring(name);
    this.int16(count);
    const formats = this.length;
    this.out.fill(0, formats, formats + 2 * count);
    this.length += 2 * count;
    this.int16(count);
    for (let i = 0; i < count; i++) {
      let value = values[i];
      if (value !== null && value !== undefined && typeof value !== 'string') {
        value = typeof value === 'number' ? String(value) : prepareValue(value);
      }
      if (value === null || value === undefined) {
        this.room(4);
        this.int32(-1);
      } else if (typeof value === 'string') {
        this.room(4 + 3 * value.length);
        const lengthAt = this.length;
        this.length += 4;
        const bytes = this.out.write(value, this.length, 'utf8');
        this.length += bytes;
        this.int32(bytes, lengthAt);
      } else {
        // A Buffer (bytea): sent as it is, in binary.
        const bytes = value as Buffer;
        this.out[formats + 2 * i + 1] = 1;
        this.room(4 + bytes.length);
        this.int32(bytes.length);
        this.write(bytes);
      }
    }
    this.room(4);
    this.int16(1);
    this.int16(0);
    this.int32(this.length - at - 1, at + 1);
  }

  // Reading: whole messages out of the socket's chunks.

  private read(chunk: Buffer) {
    if (this.gone && this.inFlight === 0) return;
    let bytes = chunk;
    if (this.partialLength > 0) {
      this.partial.push(chunk);
      this.partialLength += chunk.length;
      const first = this.partial[0];
      if (first.length >= 5 && this.partialLength < 1 + first.readInt32BE(1)) return;
      bytes = Buffer.concat(this.partial, this.partialLength);
      this.partial = [];
      this.partialLength = 0;
    }
    let at = 0;
    const end = bytes.length;
    try {
      while (end - at >= 5) {
        const next = at + 1 + bytes.readInt32BE(at + 1);
        if (next > end) break;
        this.message(bytes[at], bytes, at + 5, next);
        if (this.gone) return;
        at = next;
      }
    } catch (error) {
      // A message we cannot read: nothing after it can be trusted.
      this.fail(error as Error);
      (this.stream as Duplex).destroy();
      return;
    }
    if (at < end) {
      this.partial.push(bytes.subarray(at));
      this.partialLength = end - at;
    }
  }

  private message(type: number, bytes: Buffer, start: number, end: number) {
    switch (type) {
      case 0x44: // DataRow
        this.dataRow(bytes, start);
        return;
      case 0x5a: {
        // ReadyForQuery: the statement at the head is answered.
        const call = this.calls[this.head];
        if (!call) throw new Error('PostgreSQL answered a statement that was not sent');
        this.calls[this.head++] = undefined as unknown as Call;
        // The last write is answered: what was written meanwhile leaves when this turn ends.
        if (--this.sent === 0 && this.queued > 0) this.hold();
        if (this.head === this.calls.length) {
          this.calls.length = 0;
          this.head = 0;
          this.drained?.();
        } else if (this.head >= 1024) {
          this.calls.splice(0, this.head);
          this.head = 0;
        }
        if (call.error) call.reject(call.error);
        else call.resolve(answer(call) as never);
        return;
      }
      case 0x43: {
        // CommandComplete: its tag ends with how many rows (INSERT 0 3, UPDATE 2, SELECT 5).
        const call = this.current();
        let digits = end - 2;
        while (digits >= start && bytes[digits] >= 0x30 && bytes[digits] <= 0x39) digits--;
        call.count = digits < end - 2 ? Number(bytes.toString('latin1', digits + 1, end - 1)) : 0;
        return;
      }
      case 0x31: // ParseComplete
        this.current().prepared.parsed = true;
        return;
      case 0x54: // RowDescription
        this.current().prepared.shape = this.shape(bytes, start);
        return;
      case 0x6e: // NoData
        this.current().prepared.shape = noShape;
        return;
      case 0x45: {
        const { error, fatal } = databaseError(bytes, start, end);
        if (fatal) {
          // The server ends this connection (shut down, pg_terminate_backend): every statement on it fails.
          this.fail(error);
          return;
        }
        const call = this.current();
        call.error ??= error;
        // Refused before it was parsed: it is not prepared on this connection, and is parsed again next time.
        if (!call.prepared.parsed) {
          for (const [name, prepared] of this.prepared) if (prepared === call.prepared) this.prepared.delete(name);
        }
        return;
      }
      // BindComplete, ParameterDescription, CloseComplete, EmptyQuery, Notice, ParameterStatus, Notification.
      case 0x32:
      case 0x74:
      case 0x33:
      case 0x49:
      case 0x4e:
      case 0x53:
      case 0x41:
        return;
      default:
        throw new Error(`PostgreSQL sent a message this relay does not expect (${String.fromCharCode(type)})`);
    }
  }

  private current(): Call {
    const call = this.calls[this.head];
    if (!call) throw new Error('PostgreSQL answered a statement that was not sent');
    return call;
  }

  private shape(bytes: Buffer, start: number): Shape {
    const count = bytes.readUInt16BE(start);
    const names: string[] = [];
    const parsers: Parser[] = [];
    let at = start + 2;
    for (let i = 0; i < count; i++) {
      const nul = bytes.indexOf(0, at);
      names.push(bytes.toString('utf8', at, nul));
      // Table OID (4), column number (2), then the type OID.
      const oid = bytes.readUInt32BE(nul + 7);
      parsers.push(textTypes.has(oid) ? null : this.typeParser(oid));
      at = nul + 19;
    }
    return { parsers, row: rowMaker(names) };
  }

  private dataRow(bytes: Buffer, start: number) {
    const call = this.current();
    const shape = call.prepared.shape as Shape;
    const parsers = shape.parsers;
    const count = (bytes[start] << 8) | bytes[start + 1];
    const values = this.values;
    let at = start + 2;
    for (let i = 0; i < count; i++) {
      const length = (bytes[at] << 24) | (bytes[at + 1] << 16) | (bytes[at + 2] << 8) | bytes[at + 3];
      at += 4;
      if (length < 0) {
        values[i] = null;
        continue;
      }
      const text = (bytes as unknown as { utf8Slice(start: number, end: number): string }).utf8Slice(at, at + length);
      at += length;
      const parse = parsers[i];
      values[i] = parse === null ? text : parse(text);
    }
    const row = shape.row(values);
    if (call.rows) call.rows.push(row);
    else call.rows = [row];
  }
}

function answer(call: Call): unknown {
  switch (call.want) {
    case wantRows:
      return call.rows ?? [];
    case wantOne:
      return call.rows?.[0];
    case wantCount:
      return call.count;
    default:
      return { rows: call.rows ?? [], rowCount: call.count };
  }
}

/** The fields of an ErrorResponse, by their one-letter codes, as pg names them on its DatabaseError. */
const errorFields: Record<string, string> = {
  S: 'severity',
  C: 'code',
  D: 'detail',
  H: 'hint',
  P: 'position',
  p: 'internalPosition',
  q: 'internalQuery',
  W: 'where',
  s: 'schema',
  t: 'table',
  c: 'column',
  d: 'dataType',
  n: 'constraint',
  F: 'file',
  L: 'line',
  R: 'routine',
};

/**
 * An ErrorResponse as pg's DatabaseError (what the rest of the relay and classifyPostgresError
 * read), and whether the server ends the connection with it (FATAL, PANIC).
 */
function databaseError(bytes: Buffer, start: number, end: number): { error: pg.DatabaseError; fatal: boolean } {
  const fields: Record<string, string> = {};
  let at = start;
  while (at < end && bytes[at] !== 0) {
    const nul = bytes.indexOf(0, at + 1);
    fields[String.fromCharCode(bytes[at])] = bytes.toString('utf8', at + 1, nul);
    at = nul + 1;
  }
  const error = new pg.DatabaseError(fields.M ?? 'PostgreSQL error', end - start + 4, 'error') as pg.DatabaseError &
    Record<string, unknown>;
  for (const [letter, name] of Object.entries(errorFields)) if (fields[letter] !== undefined) error[name] = fields[letter];
  // V is the severity not localized (S may be translated).
  const severity = fields.V ?? fields.S;
  return { error, fatal: severity === 'FATAL' || severity === 'PANIC' };
}
