const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * What is wrong with an endpoint URL, or `undefined`; the message never repeats the URL. https only
 * (http for localhost, 127.0.0.1 and [::1] in development, as for connector URLs); where it may
 * connect is decided again at every attempt by the outbound policy, after DNS resolution.
 */
export function webhookUrlProblem(url: string, allowInsecureLoopback: boolean): string | undefined {
  if (!URL.canParse(url)) return 'must be an absolute URL';
  const parsed = new URL(url);
  if (parsed.protocol === 'http:') {
    if (!allowInsecureLoopback || !LOOPBACK_HOSTS.has(parsed.hostname)) return allowInsecureLoopback ? 'must use https (http is accepted only for localhost, 127.0.0.1 and [::1])' : 'must use https';
  } else if (parsed.protocol !== 'https:') {
    return 'must use https';
  }
  if (parsed.username !== '' || parsed.password !== '') return 'must not contain credentials';
  if (parsed.hash !== '' || url.includes('#')) return 'must not contain a fragment';
  return undefined;
}
