export * from './cache-dir';
export * from './embedded-postgres';
export * from './java-test-server';
export type { DevstackLog, DevstackLogger } from './log';
export * from './os-user';
export * from './ports';
export * from './postgres-binaries';
export * from './temporal-cli';
export * from './temporal-dev-server';
