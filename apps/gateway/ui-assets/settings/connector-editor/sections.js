// The editor's form: the general section, then those of the connector's auth mode.
import { h } from '../../dom.js';
import { inputField } from '../../form.js';
import { card } from '../components/card.js';
import { customSections } from './custom-sections.js';
import { oauthSections } from './oauth-sections.js';
import { apiKeySection, basicSection, bearerSection } from './simple-mode-sections.js';

export function generalSection(editor) {
  const d = editor.draft;
  const dirty = () => editor.markDirty();
  return card(
    'General',
    undefined,
    h(
      'div',
      { class: 'grid-2' },
      inputField(editor.form, { label: 'Name', path: 'name', get: () => d.name, set: (v) => (d.name = v), required: true, onChange: dirty }),
      inputField(editor.form, { label: 'Slug', path: 'slug', get: () => d.slug, set: (v) => (d.slug = v), required: true, onChange: dirty, hint: 'Unique in the workspace.' }),
    ),
  );
}

export function modeSections(editor) {
  switch (editor.draft.config.mode) {
    case 'OAUTH2':
      return oauthSections(editor);
    case 'BASIC':
      return [basicSection(editor)];
    case 'API_KEY':
      return [apiKeySection(editor)];
    case 'BEARER':
      return [bearerSection(editor)];
    case 'CUSTOM':
      return customSections(editor);
    default:
      return [card('Settings', undefined, h('p', {}, `Unknown mode ${editor.draft.config.mode}`))];
  }
}
