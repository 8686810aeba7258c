import { h } from '../../dom.js';
import { MODES, STATUS } from '../connector-labels.js';

export function modeBadge(mode) {
  return h('span', { class: `badge badge-mode`, 'data-mode': mode }, MODES[mode]?.label ?? mode);
}

export function statusBadge(status) {
  return h('span', { class: `badge badge-status badge-${status}`, 'data-status': status }, STATUS[status] ?? status);
}
