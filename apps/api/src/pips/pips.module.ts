import { Module } from '@nestjs/common';
import { pipPolicyProvider } from './pip-policy.provider';
import { PipsController } from './pips.controller';
import { PipsRepository } from './pips.repository';
import { PipsService } from './pips.service';

@Module({ controllers: [PipsController], providers: [PipsService, PipsRepository, pipPolicyProvider] })
export class PipsModule {}
