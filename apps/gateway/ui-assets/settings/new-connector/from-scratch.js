// A new connector from scratch: a name, a slug (made from the name until the user edits it) and an
// auth mode; the editor then asks for the rest.
import { clear, h, slugify, uid } from '../../dom.js';
import { inputField } from '../../form.js';
import { MODES } from '../connector-labels.js';

export function fromScratch() {
  const draft = { name: undefined, slug: undefined, mode: 'OAUTH2' };

  const render = (body, form) => {
    form.reset();
    const slugWrap = inputField(form, { label: 'Slug', path: 'slug', get: () => draft.slug, set: (v) => (draft.slug = v), required: true, hint: 'Unique in the workspace: lower case letters, digits and dashes.' });
    const slugInput = slugWrap.querySelector('input');
    let slugTouched = Boolean(draft.slug);
    slugInput.addEventListener('input', () => (slugTouched = true));
    const nameWrap = inputField(form, {
      label: 'Name',
      path: 'name',
      get: () => draft.name,
      set: (v) => {
        draft.name = v;
        if (!slugTouched) {
          draft.slug = slugify(v ?? '') || undefined;
          slugInput.value = draft.slug ?? '';
        }
      },
      required: true,
    });
    clear(body, h('div', { class: 'grid-2' }, nameWrap, slugWrap), modePicker(draft));
  };

  const request = () => {
    const problems = [];
    if (!draft.name) problems.push({ path: 'name', message: 'Enter a name' });
    if (!draft.slug) problems.push({ path: 'slug', message: 'Enter a slug' });
    if (problems.length) return { problems };
    return { request: { name: draft.name, slug: draft.slug, config: draft.mode === 'CUSTOM' ? { mode: 'CUSTOM', fields: [] } : { mode: draft.mode } } };
  };

  return { render, request };
}

function modePicker(draft) {
  return h(
    'fieldset',
    { class: 'mode-picker', 'data-path': 'config.mode' },
    h('legend', {}, 'Auth mode'),
    Object.entries(MODES).map(([value, mode]) => {
      const id = uid('mode');
      const radio = h('input', { type: 'radio', name: 'mode', id, value, checked: draft.mode === value });
      radio.addEventListener('change', () => (draft.mode = value));
      return h('div', { class: 'mode-option' }, radio, h('label', { for: id }, h('strong', {}, mode.label), h('span', { class: 'muted small' }, mode.about)));
    }),
  );
}
