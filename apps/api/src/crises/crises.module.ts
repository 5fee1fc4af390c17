import { Module } from '@nestjs/common';
import { CrisesController } from './crises.controller';
import { CrisesService } from './crises.service';
import { crisisPolicyProvider } from './crisis-policy.provider';

@Module({ controllers: [CrisesController], providers: [CrisesService, crisisPolicyProvider] })
export class CrisesModule {}
