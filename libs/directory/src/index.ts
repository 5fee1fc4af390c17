export * from './approver-planning';
export * from './directory-file';
export * from './directory.service';
export * from './directory.types';
export * from './tokens';
export * from './directory.module';
export * from './prepare-database';
export * from './route-directory';
