import { ApiError } from '../../api.js';
import { h } from '../../dom.js';

/** An error as an alert, with the API's error code when it has one. */
export function banner(error) {
  const message = error instanceof ApiError ? `${error.message} (${error.code})` : String(error?.message ?? error);
  return h('div', { class: 'banner banner-error', role: 'alert' }, message);
}
