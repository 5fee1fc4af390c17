import { ApiProperty } from '@nestjs/swagger';
import { UserResponseDto } from '../../me/dto/user.dto';
import { IsUserId } from '../../common/validation';

export class DevTokenRequestDto {
  @IsUserId('the directory user to sign in as')
  userId: string;
}

export class DevTokenResponseDto {
  @ApiProperty({ description: 'a bearer token for the user, signed with the development JWT secret' })
  token: string;

  @ApiProperty({ type: UserResponseDto })
  user: UserResponseDto;
}
