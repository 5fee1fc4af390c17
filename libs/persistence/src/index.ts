export * from './audit/audit-chain';
export * from './audit/audit-event.mapper';
export * from './audit/audit-stream';
export * from './case-store';
export * from './data-source';
export * from './entities';
export * from './persistence.module';
export * from './app-role';
