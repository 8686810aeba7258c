/**
 * One problem with one input value.
 *
 * `path` names the value with dots from the root of the validated object; array items are named by
 * their index (`fields.1.key`), so a UI can put the message beside the right input. `message` never
 * contains the submitted value: values may be secrets.
 */
export interface FieldError {
  readonly path: string;
  readonly message: string;
}

/** The outcome of validating untrusted input: the normalised value, or every problem found. */
export type ValidationResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly errors: FieldError[] };

export function joinPath(...segments: Array<string | number>): string {
  return segments.filter((segment) => segment !== '').join('.');
}
