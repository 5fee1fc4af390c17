export * from './condition';
export * from './fields';
export * from './route';
export * from './types';
export * from './types-file';
