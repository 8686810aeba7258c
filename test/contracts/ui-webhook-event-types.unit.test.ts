import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { WEBHOOK_EVENT_TYPES } from '@cb/events';

describe('the settings UI', () => {
  it('offers exactly the webhook event types the broker delivers', () => {
    const source = readFileSync(join(__dirname, '../../apps/gateway/ui-assets/settings/webhook-endpoint-form.js'), 'utf8');
    const offered = [...source.matchAll(/^\s*\['([a-z_.]+)', '/gm)].map((match) => match[1]);
    expect(offered).toEqual([...WEBHOOK_EVENT_TYPES]);
  });
});
