/** The repository's root, and .data/, its folder for what runs leave behind (never committed). */
import { join, resolve } from 'node:path';

export const ROOT = resolve(__dirname, '../..');
export const DATA_DIR = join(ROOT, '.data');
