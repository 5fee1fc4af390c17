export * from './steward-config';
