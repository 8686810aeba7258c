// OAuth required attributes: values the end user gives before connecting (e.g. a Salesforce host).
import { h } from '../../dom.js';
import { inputField } from '../../form.js';

export function requiredAttributesEditor(editor, config) {
  config.requiredAttributes ??= [];
  const list = config.requiredAttributes;
  return h(
    'fieldset',
    { class: 'subsection' },
    h('legend', {}, 'Required attributes'),
    h('p', { class: 'hint' }, 'Values the end user supplies before connecting, usable in URLs as {attr.<key>} (e.g. a Salesforce host).'),
    list.map((attribute, index) => {
      const base = `config.requiredAttributes.${index}`;
      const bind = (key) => ({ path: `${base}.${key}`, get: () => attribute[key], set: (v) => (attribute[key] = v), onChange: () => editor.markDirty() });
      return h(
        'div',
        { class: 'row-card', 'data-path': base },
        h(
          'div',
          { class: 'grid-4' },
          inputField(editor.form, { label: 'Key', ...bind('key') }),
          inputField(editor.form, { label: 'Label', ...bind('label') }),
          inputField(editor.form, { label: 'Description', ...bind('description') }),
          inputField(editor.form, { label: 'Pattern', ...bind('pattern'), hint: 'A regular expression' }),
        ),
        h('button', { type: 'button', class: 'button button-quiet small', onclick: () => (list.splice(index, 1), editor.redrawSections()) }, `Remove attribute ${index + 1}`),
      );
    }),
    h('button', { type: 'button', class: 'button button-quiet', onclick: () => (list.push({ key: '', label: '' }), editor.redrawSections()) }, 'Add attribute'),
  );
}
