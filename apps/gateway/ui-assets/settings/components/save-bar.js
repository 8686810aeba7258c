import { h } from '../../dom.js';

/**
 * The bar that sticks to the bottom of a long form: its error summary, a note while there are
 * unsaved changes, and its buttons.
 */
export function saveBar(summary, ...buttons) {
  const unsavedNote = h('span', { class: 'dirty-note', role: 'status', 'aria-live': 'polite' });
  return {
    element: h('div', { class: 'savebar' }, summary, h('div', { class: 'actions' }, unsavedNote, ...buttons)),
    showUnsaved(unsaved) {
      unsavedNote.textContent = unsaved ? 'Unsaved changes' : '';
    },
  };
}
