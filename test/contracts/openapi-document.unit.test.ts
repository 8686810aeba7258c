import { readFileSync } from 'node:fs';
import { generateOpenApiDocument, OPENAPI_FILE } from '../../apps/gateway/src/openapi.script';

describe('docs/openapi.json', () => {
  it('is the document the gateway generates from its code (run `npm run openapi` after changing routes)', async () => {
    const committed: unknown = JSON.parse(readFileSync(OPENAPI_FILE, 'utf8'));
    expect(JSON.parse(JSON.stringify(await generateOpenApiDocument()))).toEqual(committed);
  });
});
