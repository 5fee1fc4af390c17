import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, registerDecorator, ValidationArguments } from 'class-validator';
import { isoDurationMs } from '@steward/domain';

function PositiveIsoDuration() {
  return (object: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'isIsoDuration',
      target: object.constructor,
      propertyName: String(propertyName),
      validator: {
        validate: (value: unknown) => typeof value === 'string' && isoDurationMs(value) !== null,
        defaultMessage: (args: ValidationArguments) => `${args.property} must be a positive ISO 8601 duration such as P30D`,
      },
    });
}

/** A required, positive ISO 8601 duration (`P60D`, `PT12H`). */
export function IsIsoDuration(example: string, description?: string) {
  return applyDecorators(ApiProperty({ example, description, format: 'duration' }), IsString(), PositiveIsoDuration());
}

export function IsOptionalIsoDuration(example: string, description?: string) {
  return applyDecorators(ApiPropertyOptional({ example, description, format: 'duration' }), IsOptional(), IsString(), PositiveIsoDuration());
}
