export * from './approval';
export * from './change-request';
export * from './duration';
export * from './risk';
export * from './roles';
