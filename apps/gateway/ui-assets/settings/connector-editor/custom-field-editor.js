// One field of a Custom Input connect form: key, label, type, default and flags, and its place in the list.
import { h } from '../../dom.js';
import { checkboxField, inputField, secretField, selectField } from '../../form.js';

const FIELD_TYPES = [
  ['text', 'Text'],
  ['password', 'Password (secret, masked)'],
  ['number', 'Number'],
];

export function customFieldEditor(editor, field, index) {
  const fields = editor.draft.config.fields;
  const base = `config.fields.${index}`;
  const f = editor.form;
  const bind = (key, extra = {}) => ({ path: `${base}.${key}`, get: () => field[key], set: (v) => (field[key] = v), onChange: () => editor.markDirty(), ...extra });
  const title = field.label || field.key || `Field ${index + 1}`;
  const move = (delta) => {
    const target = index + delta;
    if (target < 0 || target >= fields.length) return;
    fields.splice(index, 1);
    fields.splice(target, 0, field);
    editor.redrawSections();
  };
  const remove = () => {
    fields.splice(index, 1);
    editor.redrawSections();
  };
  const defaultValue = defaultValueControl(editor, field, bind);
  return h(
    'fieldset',
    { class: 'row-card', 'data-path': base, 'data-field-key': field.key },
    h('legend', {}, `Field ${index + 1}: ${title}`),
    h(
      'div',
      { class: 'grid-3' },
      inputField(f, { label: 'Key', ...bind('key'), required: true, hint: 'Name in the credential, e.g. apiKey' }),
      inputField(f, { label: 'Label', ...bind('label'), required: true }),
      selectField(f, {
        label: 'Type',
        ...bind('type'),
        options: FIELD_TYPES,
        onChange: () => {
          delete field.default;
          editor.fieldSecrets.delete(field);
          editor.redrawSections();
        },
      }),
    ),
    h('div', { class: 'grid-2' }, inputField(f, { label: 'Description', ...bind('description'), hint: 'Shown under the input on the connect form.' }), defaultValue),
    h(
      'div',
      { class: 'checks' },
      checkboxField(f, { label: 'Required', ...bind('required') }),
      checkboxField(f, { label: 'Hidden (the default applies)', ...bind('hidden') }),
      checkboxField(f, { label: 'Disabled (shown, not editable)', ...bind('disabled') }),
    ),
    h(
      'div',
      { class: 'row-actions' },
      h('button', { type: 'button', class: 'button button-quiet small', disabled: index === 0, onclick: () => move(-1), 'aria-label': `Move field ${index + 1} up` }, 'Move up'),
      h('button', { type: 'button', class: 'button button-quiet small', disabled: index === fields.length - 1, onclick: () => move(1), 'aria-label': `Move field ${index + 1} down` }, 'Move down'),
      h('button', { type: 'button', class: 'button button-danger small', onclick: remove, 'aria-label': `Remove field ${index + 1}` }, 'Remove'),
    ),
  );
}

/** A password field's default is a secret: write-only, kept apart from the draft until saved. */
function defaultValueControl(editor, field, bind) {
  if (field.type !== 'password') return inputField(editor.form, { label: 'Default value', ...bind('default'), type: field.type === 'number' ? 'number' : 'text' });
  const isSet = typeof field.default === 'object' && field.default !== null ? Boolean(field.default.isSet) : false;
  return secretField(editor.form, {
    label: 'Default value',
    path: bind('default').path,
    isSet,
    set: (v) => {
      if (v === undefined) editor.fieldSecrets.delete(field);
      else editor.fieldSecrets.set(field, v);
    },
    onChange: () => editor.markDirty(),
    hint: 'Optional and write-only. Leave empty to keep the stored value.',
  });
}
