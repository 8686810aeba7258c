import { h, uid } from '../../dom.js';

/** A titled section of a screen; `about` is an optional line under the title. */
export function card(title, about, ...children) {
  const headingId = uid('h');
  return h('section', { class: 'card', 'aria-labelledby': headingId }, h('h2', { id: headingId }, title), about ? h('p', { class: 'muted' }, about) : null, ...children);
}
