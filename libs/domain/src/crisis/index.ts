export * from './crisis';
export * from './policy';
