import { ValidationError, ValidationPipe } from '@nestjs/common';
import { FieldProblem, validationFailed } from './app-error';

/** Flattens class-validator's tree into `path: message` pairs, e.g. `config.fields.1.key`. */
export function flattenValidationErrors(errors: ValidationError[], parent = ''): FieldProblem[] {
  return errors.flatMap((error) => {
    const path = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => ({ path, message: describe(message, error) }));
    return [...own, ...flattenValidationErrors(error.children ?? [], path)];
  });
}

/** class-validator's messages may quote the value, which could be a secret: keep only the rule. */
function describe(message: string, error: ValidationError): string {
  return typeof error.value === 'string' ? message.split(error.value).join('…') : message;
}

/** The one validation pipe, used by every service and by the tests. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    validationError: { target: false, value: true },
    exceptionFactory: (errors) => validationFailed(flattenValidationErrors(errors)),
  });
}
