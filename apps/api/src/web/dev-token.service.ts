import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { StewardConfig } from '@steward/config';
import { DirectoryService, DirectoryUser, signToken } from '@steward/directory';
import { DirectoryUserEntity } from '@steward/persistence';
import { StewardException } from '../common/steward.exception';
import { DevTokenResponseDto } from './dto/dev-token.dto';

/** The dev routes exist only when nobody could mistake the dev secret for a real one. */
export function devTokenRoutesEnabled(config: StewardConfig): boolean {
  return config.NODE_ENV !== 'production' && config.usesDevJwtSecret;
}

@Injectable()
export class DevTokenService {
  constructor(
    private readonly config: StewardConfig,
    private readonly directory: DirectoryService,
    private readonly dataSource: DataSource,
  ) {}

  async users(): Promise<DirectoryUser[]> {
    const rows = await this.dataSource.getRepository(DirectoryUserEntity).find({ order: { id: 'ASC' } });
    return rows.map((e) => ({ id: e.id, name: e.name, email: e.email, roles: e.roles, managerId: e.managerId, team: e.teamId }));
  }

  async token(userId: string): Promise<DevTokenResponseDto> {
    const user = await this.directory.findUser(userId);
    if (!user) {
      throw StewardException.invalid('userId', `${userId} is not in the directory`);
    }
    return { token: signToken(user.id, this.config.jwtSecret), user };
  }
}
