export * from './approval';
export * from './case-commit';
export * from './case-errors';
export * from './change-request';
export * from './duration';
export * from './risk';
export * from './roles';
