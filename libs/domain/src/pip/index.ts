export * from './pip';
export * from './policy';
