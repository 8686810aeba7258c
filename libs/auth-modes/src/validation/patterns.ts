/** Keys that end users or code refer to: attribute keys, custom field keys, metadata names. */
export const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/** A `scope-token` from RFC 6749 §3.3. */
export const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

/** A path into a JSON token response, e.g. `authed_user.access_token`. */
export const DOT_PATH = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/;

/** An HTTP header field name (`token` in RFC 9110 §5.6.2). */
export const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** No control characters: one line of text, which cannot split an HTTP header either. */
export const SINGLE_LINE = /^[^\x00-\x1F\x7F]*$/;

export const MAX_PATTERN_LENGTH = 500;

/** A tenant name or id as it may appear in a URL: `common`, a GUID, `contoso.onmicrosoft.com`. */
export const TENANT = /^[A-Za-z0-9][A-Za-z0-9.-]{0,253}$/;
