import { ValidateIf, type ValidationOptions } from 'class-validator';

/**
 * Skips validation only when the property is absent. Unlike `@IsOptional()`, a `null` is still
 * validated (and refused), so the validated value matches its `?:` type.
 */
export function Optional(options?: ValidationOptions): PropertyDecorator {
  return ValidateIf((_object: object, value: unknown) => value !== undefined, options);
}
