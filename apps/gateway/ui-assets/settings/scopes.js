// OAuth scopes: an array in the API, a space-separated line in the form.

export function joinScopes(scopes) {
  return (scopes ?? []).join(' ');
}

/** An emptied input means no scopes at all, not the defaults. */
export function splitScopes(text) {
  return text === undefined ? [] : text.split(/\s+/).filter(Boolean);
}
