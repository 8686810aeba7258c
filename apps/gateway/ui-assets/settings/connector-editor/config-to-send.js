// What the editor PATCHes as the configuration: secrets only when typed (an omitted secret keeps its
// stored value), and no empty optional members.
import { prune } from '../prune.js';

/** `secrets.clientSecret` is a typed OAuth client secret; `fieldSecrets` maps fields of `draftConfig` to typed password defaults. */
export function configToSend(draftConfig, secrets, fieldSecrets) {
  const config = structuredClone(draftConfig);
  switch (config.mode) {
    case 'OAUTH2': {
      delete config.clientSecret;
      if (secrets.clientSecret !== undefined) config.clientSecret = secrets.clientSecret;
      if (config.tokenResponsePaths) {
        for (const [key, value] of Object.entries(config.tokenResponsePaths)) if (value === undefined || value === '') delete config.tokenResponsePaths[key];
        if (Object.keys(config.tokenResponsePaths).length === 0) delete config.tokenResponsePaths;
      }
      config.requiredAttributes = (config.requiredAttributes ?? []).map(prune);
      return prune(config);
    }
    case 'CUSTOM': {
      config.fields = draftConfig.fields.map((field) => {
        const copy = prune({ ...field });
        if (field.type === 'password') {
          delete copy.default;
          const typed = fieldSecrets.get(field);
          if (typed !== undefined) copy.default = typed;
        }
        return copy;
      });
      return prune(config);
    }
    default:
      return prune(config);
  }
}
