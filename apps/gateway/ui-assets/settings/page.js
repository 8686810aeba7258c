// The parts of the page every screen shares.
import { h } from '../dom.js';

export const main = document.getElementById('main');

export function setTitle(title) {
  document.title = `${title} · Credential Broker`;
}

/** Screen readers announce the new screen by its heading. */
export function focusHeading() {
  const heading = main.querySelector('h1');
  if (heading) {
    heading.setAttribute('tabindex', '-1');
    heading.focus({ preventScroll: false });
  }
}

/** `Connectors / <current>`, or the link alone. */
export function breadcrumbs(current) {
  return h('nav', { class: 'crumbs', 'aria-label': 'Breadcrumb' }, h('a', { href: '#/' }, 'Connectors'), current === undefined ? null : ` / ${current}`);
}
