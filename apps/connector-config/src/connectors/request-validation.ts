import type { ClassConstructor } from 'class-transformer';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { AuthConfig, validateAuthConfig } from '@cb/auth-modes';
import { FieldProblem, flattenValidationErrors, validationFailed } from '@cb/platform';

/**
 * Request bodies are validated here rather than by the global pipe, so that problems in the
 * envelope and in the auth configuration come back together, each with its full path.
 */
export function checkEnvelope<T extends object>(dto: ClassConstructor<T>, body: unknown): { value: T; problems: FieldProblem[] } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { value: {} as T, problems: [{ path: '', message: 'the body must be a JSON object' }] };
  }
  const value = plainToInstance(dto, body);
  const all = flattenValidationErrors(validateSync(value, { whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: true }));
  return { value, problems: firstPerPath(all) };
}

/** Validates an auth configuration as a draft (activation gaps allowed); paths are prefixed with `prefix`. */
export function checkAuthConfig(
  input: unknown,
  options: { allowInsecureLoopback: boolean; prefix: string },
): { value: AuthConfig | undefined; problems: FieldProblem[] } {
  const result = validateAuthConfig(input, { allowInsecureLoopback: options.allowInsecureLoopback, partial: true });
  if (result.ok) return { value: result.value, problems: [] };
  return { value: undefined, problems: result.errors.map((e) => ({ path: joinPath(options.prefix, e.path), message: e.message })) };
}

/**
 * One message per path, as validateAuthConfig reports them: the first, which is the type check
 * when the value has the wrong type (each DTO puts its type check next to the property).
 */
function firstPerPath(problems: FieldProblem[]): FieldProblem[] {
  const byPath = new Map<string, FieldProblem>();
  for (const problem of problems) if (!byPath.has(problem.path)) byPath.set(problem.path, problem);
  return [...byPath.values()];
}

export function joinPath(prefix: string, path: string): string {
  return [prefix, path].filter(Boolean).join('.');
}

export function failIfAny(problems: FieldProblem[]): void {
  if (problems.length > 0) throw validationFailed(problems);
}
