import { h } from '../../dom.js';

/** A date and time in the user's locale (the exact ISO time on hover), or a dash when there is none. */
export function timestamp(iso) {
  if (!iso) return '—';
  const date = new Date(iso);
  return h('time', { datetime: iso, title: date.toISOString() }, date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' }));
}
