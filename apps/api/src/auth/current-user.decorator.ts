import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { DirectoryUser } from '@steward/directory';

/** The authenticated caller, as the directory has them now. */
export const CurrentUser = createParamDecorator(
  (_: unknown, ctx: ExecutionContext): DirectoryUser => ctx.switchToHttp().getRequest<{ user: DirectoryUser }>().user,
);
