import { types } from 'pg';
import type { Connection, Submittable } from 'pg';
import { prepareValue } from 'pg/lib/utils';

/** One SQL statement with its parameters ($1, $2, ...), as `tx.query(text, values)` takes them. */
export interface Statement {
  text: string;
  values?: unknown[];
  /**
   * Keep it prepared on the connection, for a fixed text that runs again and again: Postgres parses it once per
   * connection instead of every time (and may settle on a generic plan). Never for a text built per call.
   */
  prepare?: boolean;
  /** Called as soon as this statement's result arrives, before the statements after it have answered. */
  onComplete?: (result: StatementResult) => void;
}

/**
 * The rows of a multi-row statement as its one parameter: a JSON array of objects, one per row, which the statement
 * reads with `jsonb_to_recordset($1::jsonb) AS r(column type, ...)`, each column typed in the statement (arrays and
 * jsonb columns included). One JSON.stringify in the app and one JSON parse in Postgres, where an array parameter
 * per column cost an escaping pass per element in the driver and Postgres's array parser. Measured on 12 audit
 * events: 379 µs per statement against 542, round trip included; in bench:audit with one lane, 0.60 ms of CPU per
 * commit against 0.70 (docs/PERFORMANCE.md).
 *
 * In two steps, so that each part of a batch is serialized once, when it is known: rowsJson gives some rows as the
 * elements of a JSON array without its brackets, jsonArray joins such parts into the parameter.
 */
export function rowsJson(rows: readonly object[]): string {
  return rows.length === 0 ? '' : JSON.stringify(rows).slice(1, -1);
}

/** The JSON array of the rows of every part (each made by rowsJson, '' for none), in order. */
export function jsonArray(parts: readonly string[]): string {
  return `[${parts.filter((p) => p !== '').join(',')}]`;
}

/** What one statement of a batch returned: its command tag (`INSERT`, `SELECT`, `COMMIT`, `ROLLBACK`...) and rows. */
export interface StatementResult<Row = Record<string, unknown>> {
  command: string;
  rowCount: number | null;
  rows: Row[];
}

/** The client side of a pooled or single pg connection: anything `query` can be given a Submittable. */
export interface BatchClient {
  query<T extends Submittable>(queryStream: T): T;
}

interface FieldDescription {
  name: string;
  dataTypeID: number;
  format: string;
}

/**
 * Sends several statements in one round trip and reads their results: each statement is Parse, Bind,
 * Describe and Execute of the extended protocol (no Parse for a `prepare` statement the connection already
 * holds), and one Sync follows the last. Postgres runs them in order,
 * as if they had been sent one by one in the same session; parameters stay parameters (serialized exactly as
 * `client.query` does, by pg's own `prepareValue`), and results are parsed by pg's type parsers.
 *
 * Errors: the first statement that fails fails the batch. Postgres skips the rest up to the Sync, so when the
 * batch runs inside a transaction block (a `BEGIN` earlier in it or before it), nothing after the failure
 * runs, a `COMMIT` among the skipped statements included, and the block is left aborted: the caller rolls
 * back. Without a transaction block, the statements before the Sync form one implicit transaction, which the
 * error rolls back whole.
 *
 * The client must not be in pg's pipeline mode (a batch is one query to it, answered by one ReadyForQuery).
 */
export async function runBatch(client: BatchClient, statements: Statement[]): Promise<StatementResult[]> {
  let prepared: Prepared | undefined;
  if (statements.some((s) => s.prepare)) {
    prepared = preparedOn.get(client);
    if (!prepared) preparedOn.set(client, (prepared = { names: new Map(), unsure: false }));
    if (prepared.unsure) {
      // A batch that used them failed: a Parse it sent may have been skipped, or a statement may have gone stale
      // (a column's type changed under it). Start over on this connection: drop them all, parse them again.
      const [{ rows }] = await send(client, [{ text: `SELECT name FROM pg_prepared_statements WHERE name LIKE 'steward\\_b%'` }]);
      if (rows.length > 0) await send(client, rows.map((r) => ({ text: `DEALLOCATE "${String(r.name)}"` })));
      prepared.names.clear();
      prepared.unsure = false;
    }
  }
  return send(client, statements, prepared);
}

function send(client: BatchClient, statements: Statement[], prepared?: Prepared): Promise<StatementResult[]> {
  return new Promise((resolve, reject) => {
    client.query(new Batch(statements, prepared, (err, results) => (err ? reject(err) : resolve(results))));
  });
}

/**
 * The statements kept prepared on a connection (`Statement.prepare`), by text. Each name is sent in a Parse once
 * and is taken to exist from then on. After a batch that used any of them fails, the next batch first drops all
 * of them (the ones the server has, from pg_prepared_statements) and parses again. The names are runBatch's own
 * (`steward_b<n>`), apart from any that pg's `client.query({ name })` uses.
 */
interface Prepared {
  names: Map<string, string>;
  unsure: boolean;
}
const preparedOn = new WeakMap<BatchClient, Prepared>();
let preparedCount = 0;

/** A pg Submittable: pg's Client hands it the connection to write to and each backend message of its answer. */
class Batch implements Submittable {
  private readonly results: StatementResult[] = [];
  private fields: FieldDescription[] = [];
  private parsers: ((value: string) => unknown)[] = [];
  private rows: Record<string, unknown>[] = [];
  private settled = false;

  private usesPrepared = false;

  constructor(
    private readonly statements: Statement[],
    private readonly prepared: Prepared | undefined,
    private readonly done: (err: Error | null, results: StatementResult[]) => void,
  ) {}

  /** Returning an error (instead of sending anything) makes pg report it through handleError and move on. */
  submit(connection: Connection): Error | void {
    let values: (string | Buffer | null)[][];
    try {
      values = this.statements.map((s) => (s.values ?? []).map((v) => prepareValue(v)));
    } catch (err) {
      return err instanceof Error ? err : new Error(String(err));
    }
    // One write for the whole batch: the stream buffers the messages until uncork.
    connection.stream.cork?.();
    try {
      this.statements.forEach((s, i) => {
        let name = '';
        if (s.prepare && this.prepared) {
          this.usesPrepared = true;
          name = this.prepared.names.get(s.text) ?? '';
          if (!name) {
            name = `steward_b${(preparedCount += 1)}`;
            this.prepared.names.set(s.text, name);
            connection.parse({ text: s.text, name, types: [] }, true);
          }
        } else {
          connection.parse({ text: s.text, name: '', types: [] }, true);
        }
        connection.bind({ portal: '', statement: name, values: values[i] }, true);
        connection.describe({ type: 'P', name: '' }, true);
        connection.execute({}, true);
      });
      connection.sync();
    } finally {
      connection.stream.uncork?.();
    }
  }

  handleRowDescription(msg: { fields: FieldDescription[] }): void {
    this.fields = msg.fields;
    this.parsers = msg.fields.map((f) => types.getTypeParser(f.dataTypeID, 'text'));
  }

  handleDataRow(msg: { fields: (string | null)[] }): void {
    const row: Record<string, unknown> = {};
    msg.fields.forEach((raw, i) => (row[this.fields[i].name] = raw === null ? null : this.parsers[i](raw)));
    this.rows.push(row);
  }

  handleCommandComplete(msg: { text: string }): void {
    const [command, ...rest] = msg.text.split(' ');
    const count = Number(rest[rest.length - 1]);
    const result: StatementResult = { command, rowCount: rest.length > 0 && Number.isInteger(count) ? count : null, rows: this.rows };
    this.results.push(result);
    this.statements[this.results.length - 1]?.onComplete?.(result);
    this.fields = [];
    this.parsers = [];
    this.rows = [];
  }

  handleEmptyQuery(): void {
    this.results.push({ command: '', rowCount: null, rows: [] });
  }

  handlePortalSuspended(): void {
    // Never sent: every Execute asks for all rows.
  }

  handleCopyInResponse(connection: Connection & { sendCopyFail?(msg: string): void }): void {
    connection.sendCopyFail?.('COPY is not supported in a batch');
  }

  handleCopyData(): void {
    // COPY is not supported in a batch; see handleCopyInResponse.
  }

  /** The first error ends the batch: Postgres skips the rest up to the Sync. */
  handleError(err: Error): void {
    if (this.usesPrepared && this.prepared) this.prepared.unsure = true;
    this.settle(err);
  }

  handleReadyForQuery(): void {
    if (this.results.length !== this.statements.length) {
      this.settle(new Error(`batch: ${this.results.length} results for ${this.statements.length} statements`));
      return;
    }
    this.settle(null);
  }

  private settle(err: Error | null): void {
    if (this.settled) return;
    this.settled = true;
    this.done(err, this.results);
  }
}
