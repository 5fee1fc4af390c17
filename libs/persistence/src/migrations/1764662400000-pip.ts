import { MigrationInterface, QueryRunner } from 'typeorm';

/** PIP lists filter by employee, and drafting looks up the employee's open plan: one partial expression index serves both. */
export class Pip1764662400000 implements MigrationInterface {
  name = 'Pip1764662400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX idx_pips_employee ON cases ((view ->> 'employeeId')) WHERE case_type = 'pip'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX idx_pips_employee`);
  }
}
