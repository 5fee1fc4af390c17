import { applyDecorators, ValidationError, ValidationPipe } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsDefined, IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min, MinLength, ValidateIf } from 'class-validator';
import { FieldProblem, StewardErrorCode, StewardException } from './steward.exception';

function flatten(errors: ValidationError[], prefix = ''): FieldProblem[] {
  return errors.flatMap((e) => {
    const field = prefix ? `${prefix}.${e.property}` : e.property;
    const own = e.constraints ? [{ field, messages: Object.values(e.constraints) }] : [];
    return [...own, ...flatten(e.children ?? [], field)];
  });
}

/** Strict input: unknown fields are refused, and every problem names its field. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    transform: true,
    whitelist: true,
    forbidNonWhitelisted: true,
    // One message per field: the first rule it breaks.
    stopAtFirstError: true,
    exceptionFactory: (errors) => {
      const details = flatten(errors);
      const message = details.map((d) => d.messages.join(', ')).join('; ');
      return new StewardException(StewardErrorCode.INVALID_INPUT, message || 'invalid input', details);
    },
  });
}

/** A required, trimmed, non-empty string of bounded length. */
export function IsText(max: number, description?: string) {
  return applyDecorators(
    // Blank is refused after trimming: the document says so with a pattern (a non-space character somewhere).
    ApiProperty({ description, minLength: 1, maxLength: max, pattern: '\\S' }),
    Transform(({ value }) => (typeof value === 'string' ? value.trim() : value)),
    IsString(),
    MinLength(1),
    MaxLength(max),
  );
}

export function IsOptionalText(max: number, description?: string) {
  return applyDecorators(
    ApiPropertyOptional({ description, maxLength: max }),
    Transform(({ value }) => (typeof value === 'string' ? value.trim() : value)),
    IsOptional(),
    IsString(),
    MaxLength(max),
  );
}

/**
 * A comment that some decisions require (reject, request changes, a refused acknowledgement) and the others
 * accept. A missing or blank one is refused with `message` (validation stops at a field's first problem, so
 * the required check comes first, before the type and length checks).
 */
export function IsCommentRequiredWhen<T>(required: (o: T) => boolean, description: string, message: string) {
  return applyDecorators(
    ApiPropertyOptional({ description, maxLength: 5000 }),
    Transform(({ value }) => (typeof value === 'string' ? value.trim() : value)),
    ValidateIf((o: T & { comment?: unknown }) => required(o) || o.comment !== undefined),
    IsDefined({ message }),
    IsString(),
    MinLength(1, { message }),
    MaxLength(5000),
  );
}

export function IsOneOf(values: readonly string[], description?: string) {
  return applyDecorators(ApiProperty({ enum: values, description }), IsIn(values as string[]));
}

export function IsUserId(description?: string) {
  return applyDecorators(
    ApiProperty({ description, example: 'alice', pattern: '^[A-Za-z0-9._-]{1,64}$' }),
    IsString(),
    Matches(/^[A-Za-z0-9._-]{1,64}$/, { message: '$property must be a directory user id' }),
  );
}

/** `?limit=` and `?cursor=` of every list. */
export class PageQueryDto {
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 200, default: 50 })
  @Transform(({ value }) => (value === undefined || value === '' ? undefined : Number(value)))
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(200)
  limit?: number;

  @ApiPropertyOptional({ description: 'nextCursor of the previous page', maxLength: 500 })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  cursor?: string;
}

/**
 * An RFC 3339 date-time with a zone (`2026-03-01T09:00:00Z`, `...+08:00`): what Postgres and Date.parse both
 * read the same way. Week dates, ordinals and out-of-range offsets, which class-validator's IsISO8601 lets
 * through, are refused here rather than failing in SQL.
 */
const DATE_TIME = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,9})?)?(Z|[+-](0\d|1[0-4]):[0-5]\d)$/;

export function IsDateTime(description?: string, { optional = false } = {}) {
  return applyDecorators(
    optional ? ApiPropertyOptional({ format: 'date-time', description }) : ApiProperty({ format: 'date-time', description }),
    ...(optional ? [IsOptional()] : []),
    IsString({ message: '$property must be an ISO 8601 date-time with a time zone' }),
    Matches(DATE_TIME, { message: '$property must be an ISO 8601 date-time with a time zone, e.g. 2026-03-01T09:00:00Z' }),
  );
}
