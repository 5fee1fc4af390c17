export * from './directory-file';
export * from './directory.service';
export * from './directory.types';
export * from './tokens';
