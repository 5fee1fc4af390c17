import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = 'steward:public';
/** Marks a route that needs no bearer token (health, docs). */
export const Public = () => SetMetadata(IS_PUBLIC, true);
