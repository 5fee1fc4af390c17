export * from './temporal-client';
export * from './workflow-bundle';
export * from './temporal-client.module';
export * from './worker-cache';
