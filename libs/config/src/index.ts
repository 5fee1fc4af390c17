export * from './steward-config';
export * from './config.module';
export * from './logging';
