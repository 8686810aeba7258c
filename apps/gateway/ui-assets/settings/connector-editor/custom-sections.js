// Custom Input settings: the fields of the connect form and when the credential expires.
import { h } from '../../dom.js';
import { inputField, selectField } from '../../form.js';
import { card } from '../components/card.js';
import { customFieldEditor } from './custom-field-editor.js';

export function customSections(editor) {
  editor.draft.config.fields ??= [];
  return [fieldsSection(editor), expirySection(editor)];
}

function fieldsSection(editor) {
  const c = editor.draft.config;
  const addField = () => {
    c.fields.push({ key: '', label: '', type: 'text', required: false, hidden: false, disabled: false });
    editor.redrawSections();
    focusLastField(editor);
  };
  const section = card(
    'Custom Input fields',
    'Shown on the connect form in this order. Password fields are secrets: masked when typed, stored encrypted.',
    h(
      'div',
      { class: 'field-list', id: 'custom-fields', 'data-path': 'config.fields' },
      c.fields.length === 0 ? h('p', { class: 'empty' }, 'No fields yet. A Custom Input connector needs at least one field to be activated.') : null,
      c.fields.map((field, index) => customFieldEditor(editor, field, index)),
    ),
    h('button', { type: 'button', class: 'button', id: 'add-field', onclick: addField }, 'Add field'),
  );
  // `config.fields` errors (e.g. none at activation) land beside the list.
  const listSlot = h('p', { class: 'field-error', hidden: true, id: 'fields-error' });
  section.append(listSlot);
  editor.form.register('config.fields', 'Custom Input fields', section.querySelector('#add-field'), listSlot);
  return section;
}

function focusLastField(editor) {
  const inputs = editor.sections.querySelectorAll('#custom-fields .row-card');
  inputs[inputs.length - 1]?.querySelector('input')?.focus();
}

function expirySection(editor) {
  const c = editor.draft.config;
  const expiryKind = c.expiry?.lifetimeSeconds !== undefined ? 'lifetime' : c.expiry?.fromField !== undefined ? 'field' : 'none';
  const numberFields = c.fields.filter((f) => f.type === 'number' && f.key);
  return card(
    'Expiry',
    'When a credential entered on this form stops working.',
    selectField(editor.form, {
      label: 'The credential expires',
      path: 'config.expiry',
      get: () => expiryKind,
      set: (value) => {
        if (value === 'none') delete c.expiry;
        else if (value === 'lifetime') c.expiry = { lifetimeSeconds: 3600 };
        else c.expiry = { fromField: c.fields.find((f) => f.type === 'number' && f.key)?.key ?? '' };
      },
      options: [
        ['none', 'Never (no expiry information)'],
        ['lifetime', 'After a fixed lifetime'],
        ['field', 'After the seconds given in a number field'],
      ],
      onChange: () => editor.redrawSections(),
    }),
    expiryKind === 'lifetime' ? inputField(editor.form, { label: 'Lifetime (seconds)', ...editor.bind(c.expiry, 'lifetimeSeconds', { path: 'config.expiry.lifetimeSeconds' }), type: 'number', inputmode: 'numeric' }) : null,
    expiryKind === 'field'
      ? selectField(editor.form, {
          label: 'Number field that carries the lifetime',
          ...editor.bind(c.expiry, 'fromField', { path: 'config.expiry.fromField' }),
          options: numberFields.length ? numberFields.map((f) => [f.key, `${f.label || f.key} (${f.key})`]) : [['', 'Add a number field first']],
        })
      : null,
  );
}
