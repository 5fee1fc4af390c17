import { ApiProperty } from '@nestjs/swagger';

/** A directory user: roles, manager and team come from the directory in Postgres, never from the token. */
export class UserResponseDto {
  @ApiProperty({ example: 'alice' })
  id: string;

  @ApiProperty({ example: 'Alice Sun' })
  name: string;

  @ApiProperty({ example: 'alice@example.com' })
  email: string;

  @ApiProperty({ type: [String], example: ['employee'] })
  roles: string[];

  @ApiProperty({ type: String, nullable: true, example: 'bob' })
  managerId: string | null;

  @ApiProperty({ type: String, nullable: true, example: 'engineering' })
  team: string | null;
}
