import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { Connection } from '@temporalio/client';

/** Temporal is up when its frontend answers GetSystemInfo within 2 s. */
@Injectable()
export class TemporalHealthIndicator {
  constructor(
    private readonly connection: Connection,
    private readonly indicator: HealthIndicatorService,
  ) {}

  async isHealthy(key: string) {
    const check = this.indicator.check(key);
    try {
      await this.connection.withDeadline(Date.now() + 2000, () => this.connection.workflowService.getSystemInfo({}));
      return check.up();
    } catch (e) {
      return check.down({ message: (e as Error).message });
    }
  }
}
