import { types } from 'pg';
import type { Connection, Submittable } from 'pg';
import { prepareValue } from 'pg/lib/utils';

/** One SQL statement with its parameters ($1, $2, ...), as `tx.query(text, values)` takes them. */
export interface Statement {
  text: string;
  values?: unknown[];
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
 * Describe and Execute of the extended protocol, and one Sync follows the last. Postgres runs them in order,
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
export function runBatch(client: BatchClient, statements: Statement[]): Promise<StatementResult[]> {
  return new Promise((resolve, reject) => {
    client.query(new Batch(statements, (err, results) => (err ? reject(err) : resolve(results))));
  });
}

/** A pg Submittable: pg's Client hands it the connection to write to and each backend message of its answer. */
class Batch implements Submittable {
  private readonly results: StatementResult[] = [];
  private fields: FieldDescription[] = [];
  private parsers: ((value: string) => unknown)[] = [];
  private rows: Record<string, unknown>[] = [];
  private settled = false;

  constructor(
    private readonly statements: Statement[],
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
        connection.parse({ text: s.text, name: '', types: [] }, true);
        connection.bind({ portal: '', statement: '', values: values[i] }, true);
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
    this.results.push({ command, rowCount: rest.length > 0 && Number.isInteger(count) ? count : null, rows: this.rows });
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
