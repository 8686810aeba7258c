/**
 * HTTP Basic authentication: the end user enters a username and a password.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7617
 */
export interface BasicConfig {
  readonly mode: 'BASIC';
  readonly usernameLabel: string;
  readonly passwordLabel: string;
}

export type BasicConfigInput = Pick<BasicConfig, 'mode'> & Partial<Omit<BasicConfig, 'mode'>>;

export function withBasicDefaults(input: BasicConfigInput): BasicConfig {
  return { ...input, usernameLabel: input.usernameLabel ?? 'Username', passwordLabel: input.passwordLabel ?? 'Password' };
}
