import { ParseUUIDPipe } from '@nestjs/common';
import { StewardException } from './steward.exception';

/** `:id` path parameters are UUIDs; anything else is a 400 naming the parameter. */
export const UuidParam = new ParseUUIDPipe({
  exceptionFactory: () => StewardException.invalid('id', 'id must be a UUID'),
});
