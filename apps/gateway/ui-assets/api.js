// The gateway's REST API as the UI uses it. Errors keep the API's stable code and field paths.

export class ApiError extends Error {
  constructor(status, code, message, details) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.details = details;
  }

  /** `[{ path, message }]` from a 400 validation_failed or a 422 activation_refused, else []. */
  get fieldErrors() {
    const errors = this.details && Array.isArray(this.details.errors) ? this.details.errors : [];
    return errors.filter((e) => e && typeof e.path === 'string' && typeof e.message === 'string');
  }
}

/** `credential` is the workspace API key (settings) or the connect session token (connect dialog). */
export async function apiRequest(path, { method = 'GET', body, credential, signal } = {}) {
  const headers = { accept: 'application/json' };
  if (credential) headers.authorization = `Bearer ${credential}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  let response;
  try {
    response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal, cache: 'no-store', credentials: 'omit' });
  } catch (error) {
    if (error && error.name === 'AbortError') throw error;
    throw new ApiError(0, 'network_error', 'The server could not be reached. Check your connection and try again.');
  }
  const text = await response.text();
  let parsed;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  if (response.ok) return parsed;
  const error = parsed && parsed.error ? parsed.error : {};
  throw new ApiError(response.status, error.code || `http_${response.status}`, error.message || `The server answered ${response.status}.`, error.details);
}
