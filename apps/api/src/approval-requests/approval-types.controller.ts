import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiExtraModels, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApprovalRequestsService } from './approval-requests.service';
import { ApprovalTypeListDto, FieldSpecDto } from './dto/approval-type.dto';

@ApiTags('approval-requests')
@ApiBearerAuth()
@ApiExtraModels(FieldSpecDto)
@Controller('approval-types')
export class ApprovalTypesController {
  constructor(private readonly service: ApprovalRequestsService) {}

  @Get()
  @ApiOperation({ summary: 'Request types with their field schemas (for forms) and routes, from APPROVAL_TYPES_FILE' })
  @ApiOkResponse({ type: ApprovalTypeListDto })
  list() {
    return this.service.listTypes();
  }
}
