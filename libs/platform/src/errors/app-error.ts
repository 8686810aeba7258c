/**
 * An error with a stable string `code` that survives process and network boundaries
 * (an `instanceof` check does not). `status` is the HTTP status it maps to at an edge.
 */
export class AppError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
    readonly details?: unknown,
    options?: { cause?: unknown; retriable?: boolean },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.retriable = options?.retriable ?? false;
  }
  readonly retriable: boolean;
}

export const notFound = (what: string): AppError => new AppError('not_found', `${what} was not found`, 404);
export const conflict = (code: string, message: string): AppError => new AppError(code, message, 409);
export const unprocessable = (code: string, message: string, details?: unknown): AppError => new AppError(code, message, 422, details);

export interface FieldProblem {
  path: string;
  message: string;
}

export const validationFailed = (errors: FieldProblem[]): AppError =>
  new AppError('validation_failed', `request is invalid: ${errors.map((e) => e.path).join(', ')}`, 400, { errors });
