// Form controls bound to a draft object, and an error registry that puts each API error (by its
// `path`, e.g. `config.fields.0.key`) beside the control it is about.
import { h, uid } from './dom.js';

export class FormErrors {
  constructor() {
    this.slots = new Map();
  }

  /** Remembers the control for `path`; `slot` is where its message goes. */
  register(path, label, control, slot) {
    this.slots.set(path, { label, control, slot });
  }

  reset() {
    this.slots.clear();
  }

  clear(path) {
    const entry = this.slots.get(path);
    if (!entry) return;
    entry.slot.textContent = '';
    entry.slot.hidden = true;
    entry.control.removeAttribute('aria-invalid');
  }

  clearAll() {
    for (const path of this.slots.keys()) this.clear(path);
  }

  /** The registered entry for a path or its nearest registered parent (`config.authorizationParams.prompt` → `config.authorizationParams`). */
  find(path) {
    const parts = path.split('.');
    while (parts.length > 0) {
      const entry = this.slots.get(parts.join('.'));
      if (entry) return { path: parts.join('.'), ...entry };
      parts.pop();
    }
    return undefined;
  }

  /** Shows every error beside its control; returns them with the label of that control for a summary. */
  show(errors) {
    this.clearAll();
    const shown = new Map();
    const described = [];
    for (const error of errors) {
      const entry = this.find(error.path);
      if (entry) {
        const messages = shown.get(entry.path) ?? [];
        messages.push(error.message);
        shown.set(entry.path, messages);
        entry.slot.textContent = messages.join('. ');
        entry.slot.hidden = false;
        entry.control.setAttribute('aria-invalid', 'true');
      }
      described.push({ ...error, label: entry ? entry.label : undefined, control: entry ? entry.control : undefined });
    }
    return described;
  }
}

function describedBy(...ids) {
  return ids.filter(Boolean).join(' ') || undefined;
}

function wrap({ id, label, required, hint, hintId, control, errorSlot, className = 'field' }) {
  return h(
    'div',
    { class: className },
    h('label', { for: id }, label, required ? h('span', { class: 'required', 'aria-hidden': 'true' }, ' *') : null),
    control,
    hint ? h('p', { id: hintId, class: 'hint' }, hint) : null,
    errorSlot,
  );
}

function errorSlotFor(errorId) {
  return h('p', { id: errorId, class: 'field-error', hidden: true });
}

/**
 * A text-like input. `get()` gives the current value, `set(value)` stores what was typed
 * (numbers as numbers, empty as undefined).
 */
export function inputField(form, { label, path, get, set, type = 'text', hint, required, placeholder, onChange, className, inputmode }) {
  const id = uid('in');
  const hintId = hint ? uid('hint') : undefined;
  const errorId = uid('err');
  const current = get();
  const input = h('input', {
    id,
    type,
    value: current === undefined || current === null ? '' : String(current),
    placeholder,
    required: required || undefined,
    'aria-required': required ? 'true' : undefined,
    'aria-describedby': describedBy(hintId, errorId),
    'data-path': path,
    autocomplete: 'off',
    spellcheck: 'false',
    inputmode,
  });
  const errorSlot = errorSlotFor(errorId);
  input.addEventListener('input', () => {
    const raw = input.value;
    if (type === 'number') set(raw.trim() === '' ? undefined : Number(raw));
    else set(raw === '' ? undefined : raw);
    form.clear(path);
    onChange?.();
  });
  form.register(path, label, input, errorSlot);
  return wrap({ id, label, required, hint, hintId, control: input, errorSlot, className });
}

/** A write-only secret: never filled in, shows whether one is stored, and sends only what is typed. */
export function secretField(form, { label, path, isSet, set, hint, onChange, className }) {
  const id = uid('secret');
  const hintId = uid('hint');
  const errorId = uid('err');
  const input = h('input', {
    id,
    type: 'password',
    value: '',
    placeholder: isSet ? 'Stored; type a new value to replace it' : 'Not set',
    autocomplete: 'new-password',
    spellcheck: 'false',
    'aria-describedby': describedBy(hintId, errorId),
    'data-path': path,
    'data-secret': 'true',
  });
  const errorSlot = errorSlotFor(errorId);
  input.addEventListener('input', () => {
    set(input.value === '' ? undefined : input.value);
    form.clear(path);
    onChange?.();
  });
  form.register(path, label, input, errorSlot);
  const badge = h('span', { class: `badge ${isSet ? 'badge-set' : 'badge-unset'}`, 'data-secret-state': isSet ? 'set' : 'unset' }, isSet ? 'Set' : 'Not set');
  const id2 = uid('lbl');
  return h(
    'div',
    { class: className ?? 'field' },
    h('div', { class: 'label-row' }, h('label', { for: id, id: id2 }, label), badge),
    input,
    h('p', { id: hintId, class: 'hint' }, hint ?? 'Write-only: the value is stored encrypted and never shown again.'),
    errorSlot,
  );
}

export function selectField(form, { label, path, get, set, options, hint, onChange, className }) {
  const id = uid('sel');
  const hintId = hint ? uid('hint') : undefined;
  const errorId = uid('err');
  const current = get();
  const select = h(
    'select',
    { id, 'aria-describedby': describedBy(hintId, errorId), 'data-path': path },
    options.map(([value, text]) => h('option', { value, selected: value === current || undefined }, text)),
  );
  const errorSlot = errorSlotFor(errorId);
  select.addEventListener('change', () => {
    set(select.value);
    form.clear(path);
    onChange?.(select.value);
  });
  form.register(path, label, select, errorSlot);
  return wrap({ id, label, hint, hintId, control: select, errorSlot, className });
}

export function checkboxField(form, { label, path, get, set, hint, onChange }) {
  const id = uid('chk');
  const hintId = hint ? uid('hint') : undefined;
  const errorId = uid('err');
  const input = h('input', { id, type: 'checkbox', checked: Boolean(get()), 'aria-describedby': describedBy(hintId, errorId), 'data-path': path });
  const errorSlot = errorSlotFor(errorId);
  input.addEventListener('change', () => {
    set(input.checked);
    form.clear(path);
    onChange?.(input.checked);
  });
  form.register(path, label, input, errorSlot);
  return h('div', { class: 'field field-check' }, h('div', { class: 'check-row' }, input, h('label', { for: id }, label)), hint ? h('p', { id: hintId, class: 'hint' }, hint) : null, errorSlot);
}

/** A `name=value` per line editor for string maps (authorization parameters, metadata paths). */
export function mapField(form, { label, path, get, set, hint, onChange }) {
  const id = uid('map');
  const hintId = uid('hint');
  const errorId = uid('err');
  const current = get() ?? {};
  const textarea = h('textarea', {
    id,
    rows: Math.max(2, Object.keys(current).length + 1),
    spellcheck: 'false',
    'aria-describedby': describedBy(hintId, errorId),
    'data-path': path,
  });
  textarea.value = Object.entries(current)
    .map(([name, value]) => `${name}=${value}`)
    .join('\n');
  const errorSlot = errorSlotFor(errorId);
  textarea.addEventListener('input', () => {
    const map = {};
    for (const line of textarea.value.split('\n')) {
      const trimmed = line.trim();
      if (!trimmed) continue;
      const eq = trimmed.indexOf('=');
      if (eq <= 0) map[trimmed] = '';
      else map[trimmed.slice(0, eq).trim()] = trimmed.slice(eq + 1).trim();
    }
    set(map);
    form.clear(path);
    onChange?.();
  });
  form.register(path, label, textarea, errorSlot);
  return wrap({ id, label, hint: hint ?? 'One per line: name=value', hintId, control: textarea, errorSlot });
}
