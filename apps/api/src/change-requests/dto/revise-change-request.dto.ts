import { PartialType } from '@nestjs/swagger';
import { SubmitChangeRequestDto } from './submit-change-request.dto';

/** Any submission fields; the rest stay as they were. Approval starts again at level 1. */
export class ReviseChangeRequestDto extends PartialType(SubmitChangeRequestDto) {}
