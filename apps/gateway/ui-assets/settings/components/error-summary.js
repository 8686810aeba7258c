import { clear, h } from '../../dom.js';

/** Fills `container` with a summary of field errors: each one a button that moves focus to its control. */
export function showSummary(container, errors, title) {
  clear(
    container,
    h('p', { class: 'summary-title' }, title),
    h(
      'ul',
      {},
      errors.map((error) =>
        h(
          'li',
          { 'data-error-path': error.path },
          error.control
            ? h('button', { type: 'button', class: 'link', onclick: () => error.control.focus() }, error.label ?? error.path)
            : h('code', {}, error.path || 'request'),
          ': ',
          error.message,
        ),
      ),
    ),
  );
  container.hidden = false;
}
