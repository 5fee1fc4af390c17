import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { TERMINAL_PIP_STATUSES } from '@steward/domain';

/** The read-model queries of PIPs that go beyond the case kit's. */
@Injectable()
export class PipsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** The employee's open plan (any status before an outcome), if there is one. Served by idx_pips_employee. */
  async openPlanOf(employeeId: string): Promise<{ id: string; status: string } | null> {
    const rows: { id: string; status: string }[] = await this.dataSource.query(
      `SELECT id, status FROM cases
        WHERE case_type = 'pip' AND (view ->> 'employeeId') = $1 AND status <> ALL($2::text[])
        ORDER BY created_at LIMIT 1`,
      [employeeId, TERMINAL_PIP_STATUSES],
    );
    return rows[0] ?? null;
  }

  /**
   * Runs `fn` holding a transaction-scoped Postgres advisory lock keyed by the employee, so that drafting plans
   * for one employee is serialised across every API instance: the open-plan check and the start of the new
   * plan's workflow (which returns only once its first commit is in the read model) happen as one step. The
   * lock goes with the transaction, also when the process dies.
   */
  async withEmployeeLock<T>(employeeId: string, fn: () => Promise<T>): Promise<T> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction();
      await runner.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [`pip:${employeeId}`]);
      const result = await fn();
      await runner.commitTransaction();
      return result;
    } catch (err) {
      if (runner.isTransactionActive) await runner.rollbackTransaction();
      throw err;
    } finally {
      await runner.release();
    }
  }
}
