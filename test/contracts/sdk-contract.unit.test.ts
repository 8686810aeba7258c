import { readFileSync } from 'node:fs';
import { generateSdkEvents, SDK_EVENTS_FILE } from '../../scripts/generate-sdk-events';

describe("the SDK's event contract", () => {
  it('is what docs/asyncapi.yaml says (run `npm run contracts` after changing the events)', () => {
    expect(readFileSync(SDK_EVENTS_FILE, 'utf8')).toEqual(generateSdkEvents());
  });
});
