import { InitialSchema1764230400000 } from './1764230400000-initial-schema';

export const MIGRATIONS = [InitialSchema1764230400000];
