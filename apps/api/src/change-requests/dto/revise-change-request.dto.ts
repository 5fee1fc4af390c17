import { PartialType } from '@nestjs/swagger';
import { SubmitChangeRequestDto } from './submit-change-request.dto';

/**
 * Any submission fields; the rest stay as they were. Approval starts again at level 1. A field given as null is
 * validated like any other value (400), not skipped as if it were absent.
 */
export class ReviseChangeRequestDto extends PartialType(SubmitChangeRequestDto, { skipNullProperties: false }) {}
