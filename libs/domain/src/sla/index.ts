export * from './calendar';
export * from './policy';
