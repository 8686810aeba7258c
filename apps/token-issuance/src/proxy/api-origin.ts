import { renderApiBaseUrl, UrlTemplateError, type AuthConfig } from '@cb/auth-modes';
import type { StoredCredential } from '../credential-vault/stored-credential';

/** What a connection contributes to its connector's `apiBaseUrl`. */
export interface ApiBaseUrlInputs {
  tenant?: string | null;
  attributes?: Record<string, string>;
}

/**
 * The connector's `apiBaseUrl` filled in for one connection: its tenant (or the connector's), its
 * attributes, and for OAuth the token response's kept values (Salesforce's `instance_url`).
 *
 * @throws UrlTemplateError when a placeholder has no usable value
 */
export function connectionBaseUrl(template: string, config: AuthConfig, inputs: ApiBaseUrlInputs, credential: StoredCredential, allowInsecureLoopback: boolean): string {
  const tenant = inputs.tenant ?? (config.mode === 'OAUTH2' ? config.tenantId : undefined);
  return renderApiBaseUrl(
    template,
    { ...(tenant === undefined || tenant === null ? {} : { tenant }), attributes: inputs.attributes ?? {}, ...(credential.type === 'oauth2' ? { metadata: credential.metadata } : {}) },
    allowInsecureLoopback,
  );
}

/**
 * A credential bound to the origin its connector's API had when it was issued: the proxy sends it
 * nowhere else, whatever the connector says later, so that editing a connector (an admin key) cannot
 * move the end users' credentials to another host. A connector without an `apiBaseUrl` (or one that
 * does not render) binds nothing: such a credential, like one stored before binding existed, goes
 * to whatever origin the connector names when it is proxied. A refresh keeps the binding.
 */
export function boundToApiOrigin(credential: StoredCredential, config: AuthConfig | undefined, inputs: ApiBaseUrlInputs, allowInsecureLoopback: boolean): StoredCredential {
  if (config?.apiBaseUrl === undefined) return credential;
  try {
    return { ...credential, apiOrigin: new URL(connectionBaseUrl(config.apiBaseUrl, config, inputs, credential, allowInsecureLoopback)).origin };
  } catch (error) {
    if (error instanceof UrlTemplateError || error instanceof TypeError) return credential;
    throw error;
  }
}
