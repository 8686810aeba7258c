import { resealOutbox } from '@cb/messaging';
import { ResealCommand, resealRows } from '@cb/service-runtime';
import { OAuthStateEntity, stateContext } from '../authorization-url/oauth-state.entity';
import { ENTITIES, SCHEMA } from '../oauth-authorization.module';

/** oauth-authorization's sealed values: PKCE verifiers of OAuth states, codes and typed credentials in its outbox's events. */
export const resealOAuthAuthorization: ResealCommand = {
  serviceName: 'oauth-authorization',
  schema: SCHEMA,
  entities: ENTITIES,
  async reseal(dataSource, keyring) {
    const states = await resealRows(dataSource, {
      entity: OAuthStateEntity,
      id: 'stateHash',
      needsRotation: (row) => row.sealedCodeVerifier !== null && keyring.needsRotation(row.sealedCodeVerifier),
      reseal: (row) => {
        const context = stateContext(row.stateHash);
        return { sealedCodeVerifier: keyring.seal(keyring.open(row.sealedCodeVerifier as string, context), context) };
      },
    });
    return { oauth_states: states, outbox: await resealOutbox(dataSource, SCHEMA, keyring) };
  },
};
