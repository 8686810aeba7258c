import { pinnedDomains } from './pinned-domain';
import { describePlaceholder, hasStrayBraces, listPlaceholders } from './url-template';

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);
const SAMPLE_VALUE = 'placeholder';
const FIXED_PARENT_DOMAIN = /^\.[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/;

export interface EndpointUrlRules {
  /** Development only: lets `http://` reach localhost, 127.0.0.1 and [::1]. */
  readonly allowInsecureLoopback: boolean;
  /** The connector's required attributes: the keys `{attr.<key>}` may name, and each one's pattern. */
  readonly attributes: ReadonlyMap<string, { readonly pattern?: string }>;
}

/**
 * Checks an authorization, token or revocation endpoint URL template and returns what is wrong
 * with it, or `undefined`. The message never repeats the URL.
 *
 * A placeholder in the host could send the user, or the client secret, to any server. It is
 * allowed only in front of a fixed parent domain (`{attr.subdomain}.zendesk.com`), or at the end
 * of the host for an attribute whose pattern pins a fixed domain (see `pinnedDomains`; `.+` pins
 * none).
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-3.1 (TLS, no fragment)
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4.11 (open redirectors)
 */
export function endpointUrlProblem(template: string, rules: EndpointUrlRules): string | undefined {
  if (hasStrayBraces(template)) return 'has an unmatched brace';
  for (const name of listPlaceholders(template)) {
    const placeholder = describePlaceholder(name);
    if (placeholder === undefined) return `has an unknown placeholder {${name}}; use {tenant} or {attr.<key>}`;
    if (placeholder.kind === 'attribute' && !rules.attributes.has(placeholder.key)) {
      return `names {${name}}, which is not a required attribute of this connector`;
    }
  }
  const sample = template.replace(/\{[^{}]*\}/g, SAMPLE_VALUE);
  if (!URL.canParse(sample)) return 'must be an absolute URL';
  const url = new URL(sample);
  const host = hostTemplate(template);
  if (url.protocol === 'http:') {
    const loopback = LOOPBACK_HOSTS.has(url.hostname) && !host.includes('{');
    if (!rules.allowInsecureLoopback || !loopback) {
      return rules.allowInsecureLoopback
        ? 'must use https (http is accepted only for localhost, 127.0.0.1 and [::1])'
        : 'must use https';
    }
  } else if (url.protocol !== 'https:') {
    return 'must use https';
  }
  if (url.username !== '' || url.password !== '') return 'must not contain credentials';
  if (url.hash !== '' || template.includes('#')) return 'must not contain a fragment';
  return hostPlaceholderProblem(host, rules);
}

function hostTemplate(template: string): string {
  const afterScheme = template.slice(template.indexOf('//') + 2);
  const authority = afterScheme.split(/[/?#]/, 1)[0] ?? '';
  return authority.replace(/:\d+$/, '');
}

function hostPlaceholderProblem(host: string, rules: EndpointUrlRules): string | undefined {
  const names = listPlaceholders(host);
  const last = names.at(-1);
  if (last === undefined) return undefined;
  const suffix = host.slice(host.lastIndexOf('}') + 1);
  if (FIXED_PARENT_DOMAIN.test(suffix)) return undefined;
  const placeholder = describePlaceholder(last);
  const pattern = placeholder?.kind === 'attribute' ? rules.attributes.get(placeholder.key)?.pattern : undefined;
  if (suffix === '' && pattern !== undefined && pinnedDomains(pattern) !== undefined) return undefined;
  return `puts {${last}} in the host; end the host with a fixed domain, or end it with an attribute whose pattern ends every alternative in a fixed domain (such as [a-z0-9-]+\\.example\\.com)`;
}
