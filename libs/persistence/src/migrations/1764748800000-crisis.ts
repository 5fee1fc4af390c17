import { MigrationInterface, QueryRunner } from 'typeorm';

/** `GET /crises?severity=` filters on the crisis view's severity. */
export class Crisis1764748800000 implements MigrationInterface {
  name = 'Crisis1764748800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX idx_crises_severity ON cases ((view ->> 'severity')) WHERE case_type = 'crisis'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX idx_crises_severity`);
  }
}
