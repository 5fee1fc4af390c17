import { MigrationInterface, QueryRunner } from 'typeorm';

/** Approval requests are listed by type (`?type=`) and reported per type: an expression index on the view's type. */
export class ApprovalRequests1764835200000 implements MigrationInterface {
  name = 'ApprovalRequests1764835200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX idx_approval_requests_type ON cases ((view ->> 'type'), created_at DESC) WHERE case_type = 'approval_request'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX idx_approval_requests_type`);
  }
}
