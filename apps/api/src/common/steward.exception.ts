import { HttpStatus } from '@nestjs/common';

export enum StewardErrorCode {
  INVALID_INPUT = 'INVALID_INPUT',
  UNAUTHENTICATED = 'UNAUTHENTICATED',
  FORBIDDEN = 'FORBIDDEN',
  NOT_FOUND = 'NOT_FOUND',
  CONFLICT = 'CONFLICT',
  IDEMPOTENCY_MISMATCH = 'IDEMPOTENCY_MISMATCH',
  UNAVAILABLE = 'UNAVAILABLE',
}

const STATUS: Record<StewardErrorCode, HttpStatus> = {
  INVALID_INPUT: HttpStatus.BAD_REQUEST,
  UNAUTHENTICATED: HttpStatus.UNAUTHORIZED,
  FORBIDDEN: HttpStatus.FORBIDDEN,
  NOT_FOUND: HttpStatus.NOT_FOUND,
  CONFLICT: HttpStatus.CONFLICT,
  IDEMPOTENCY_MISMATCH: HttpStatus.UNPROCESSABLE_ENTITY,
  UNAVAILABLE: HttpStatus.SERVICE_UNAVAILABLE,
};

export interface FieldProblem {
  field: string;
  messages: string[];
}

/** A domain error with a code; `HttpExceptionFilter` turns it into the contract's error body. */
export class StewardException extends Error {
  constructor(
    readonly code: StewardErrorCode,
    message: string,
    readonly details: FieldProblem[] = [],
  ) {
    super(message);
    this.name = 'StewardException';
  }

  get status(): HttpStatus {
    return STATUS[this.code];
  }

  static invalid(field: string, message: string): StewardException {
    return new StewardException(StewardErrorCode.INVALID_INPUT, message, [{ field, messages: [message] }]);
  }

  static notFound(what: string): StewardException {
    return new StewardException(StewardErrorCode.NOT_FOUND, `${what} not found`);
  }

  static forbidden(message: string): StewardException {
    return new StewardException(StewardErrorCode.FORBIDDEN, message);
  }

  static conflict(message: string): StewardException {
    return new StewardException(StewardErrorCode.CONFLICT, message);
  }
}
