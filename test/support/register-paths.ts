// globalSetup runs outside Jest's module mapper: resolve the tsconfig path aliases for it.
import { register } from 'tsconfig-paths';
import { compilerOptions } from '../../tsconfig.json';

register({ baseUrl: `${__dirname}/../..`, paths: compilerOptions.paths });
