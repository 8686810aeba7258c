import 'reflect-metadata';
import { Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsObject, IsString, Max, Min, ValidateNested } from 'class-validator';
import { Satisfies } from '../validation/decorators';
import { Optional } from '../validation/optional';
import { VERIFICATION_METHODS, verificationContextProblem, verificationPathProblem, type VerificationMethod, type VerificationRequest } from './verification';

/** A connector's verification request (see {@link VerificationRequest}). */
export class VerificationDto implements VerificationRequest {
  @IsIn(VERIFICATION_METHODS)
  readonly method: VerificationMethod;

  @Satisfies('isVerificationPath', (value) => (typeof value === 'string' ? verificationPathProblem(value) : undefined))
  @IsString()
  readonly path: string;

  @Max(599)
  @Min(100)
  @IsInt()
  readonly expectedStatus: number;

  @Optional()
  @IsBoolean()
  readonly afterOAuthExchange?: boolean;
}

/** The `verification` member every mode's DTO has: optional, validated in full, and sendable. */
export function VerificationMember(): PropertyDecorator {
  const decorators = [
    Type(() => VerificationDto),
    IsObject({ message: 'verification must be an object' }),
    ValidateNested(),
    Satisfies('canVerify', (value, object) => (typeof value === 'object' && value !== null ? verificationContextProblem(object) : undefined)),
    Optional(),
  ];
  return (target, property) => {
    for (const decorate of decorators) decorate(target, property);
  };
}
