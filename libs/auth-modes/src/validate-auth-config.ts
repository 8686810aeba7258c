import { instanceToPlain, plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';
import { activationGaps } from './activation-gaps';
import type { AuthConfig, AuthConfigInput } from './auth-config';
import { withDefaults } from './auth-config.defaults';
import { AUTH_CONFIG_DTOS } from './auth-config.dtos';
import { AUTH_MODES, isAuthMode } from './auth-mode';
import { joinPath, type FieldError, type ValidationResult } from './field-error';
import { LOOPBACK_ENDPOINTS_GROUP, STRICT_ENDPOINTS_GROUP } from './validation/validation-groups';

export interface AuthConfigValidationOptions {
  /** Development only: accept `http://` endpoints on localhost, 127.0.0.1 and [::1]. */
  readonly allowInsecureLoopback?: boolean;
  /**
   * Accept a draft: members that only activation needs (see `activationGaps`) may be missing.
   * Everything present is still validated in full.
   */
  readonly partial?: boolean;
}

/**
 * Validates a connector's auth configuration from an untrusted source and applies defaults.
 *
 * Unknown members are errors, as with `ValidationPipe({ forbidNonWhitelisted: true })`. Without
 * `partial`, a configuration that could not be activated is an error too. Error paths are dotted
 * from the configuration's root (`fields.1.key`; `mode`; the empty path for the root itself), and
 * no message contains a submitted value.
 */
export function validateAuthConfig(
  input: unknown,
  opts: AuthConfigValidationOptions = {},
): ValidationResult<AuthConfig> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { ok: false, errors: [{ path: '', message: 'config must be an object' }] };
  }
  const mode: unknown = (input as { mode?: unknown }).mode;
  if (!isAuthMode(mode)) {
    return { ok: false, errors: [{ path: 'mode', message: `mode must be one of ${AUTH_MODES.join(', ')}` }] };
  }
  const dto: object = plainToInstance<object, unknown>(AUTH_CONFIG_DTOS[mode], input);
  const errors = toFieldErrors(
    validateSync(dto, {
      whitelist: true,
      forbidNonWhitelisted: true,
      forbidUnknownValues: true,
      groups: [opts.allowInsecureLoopback === true ? LOOPBACK_ENDPOINTS_GROUP : STRICT_ENDPOINTS_GROUP],
      always: true,
      validationError: { target: false, value: false },
    }),
  );
  if (errors.length > 0) return { ok: false, errors };
  const value = withDefaults(instanceToPlain(dto, { exposeUnsetFields: false }) as AuthConfigInput);
  const gaps = opts.partial === true ? [] : activationGaps(value);
  return gaps.length > 0 ? { ok: false, errors: gaps } : { ok: true, value };
}

/**
 * One message per path: the first, which is the type check when a value has the wrong type
 * (decorators run bottom-up, and each DTO puts its type check next to the property).
 * `stopAtFirstError` is not used because it also skips the items of an array that has an error.
 */
function toFieldErrors(errors: ValidationError[], parent = ''): FieldError[] {
  const byPath = new Map<string, string>();
  const collect = (list: ValidationError[], prefix: string): void => {
    for (const error of list) {
      const path = joinPath(prefix, error.property);
      const [first] = Object.values(error.constraints ?? {});
      if (first !== undefined && !byPath.has(path)) byPath.set(path, first);
      collect(error.children ?? [], path);
    }
  };
  collect(errors, parent);
  return [...byPath].map(([path, message]) => ({ path, message }));
}
