/**
 * Client ID Metadata Documents (draft-ietf-oauth-client-id-metadata-document, as the MCP
 * authorization specification uses them): a client_id that is an http(s) URL names a JSON document
 * describing the client, fetched when oidc-provider looks the client up. oidc-provider has no such
 * feature; its storage adapter is where unknown clients are looked up, so the sandbox wraps it.
 */
import { log } from './http-util.mjs';

const MAX_DOCUMENT_BYTES = 5 * 1024;
const SHARED_SECRET_METHODS = new Set(['client_secret_basic', 'client_secret_post', 'client_secret_jwt']);

export function withClientMetadataDocuments(Adapter) {
  return class ClientMetadataDocumentAdapter extends Adapter {
    constructor(model) {
      super(model);
      this.documentClients = model === 'Client';
    }

    async find(id) {
      if (this.documentClients && /^https?:\/\//.test(id)) return clientFromDocument(id);
      return super.find(id);
    }
  };
}

/** The client the document at `url` describes, or undefined when it cannot be one. */
async function clientFromDocument(url) {
  let document;
  try {
    const response = await fetch(url, { headers: { accept: 'application/json' }, redirect: 'error', signal: AbortSignal.timeout(5000) });
    const text = await response.text();
    if (!response.ok || text.length > MAX_DOCUMENT_BYTES) return refuse(url, `HTTP ${response.status}, ${text.length} bytes`);
    document = JSON.parse(text);
  } catch (err) {
    return refuse(url, err.message);
  }
  if (document?.client_id !== url) return refuse(url, 'the document does not name itself as client_id');
  if (document.client_secret !== undefined || SHARED_SECRET_METHODS.has(document.token_endpoint_auth_method)) {
    return refuse(url, 'a metadata document client cannot use a shared secret');
  }
  if (!Array.isArray(document.redirect_uris) || document.redirect_uris.length === 0) return refuse(url, 'no redirect_uris');
  return {
    client_id: url,
    client_name: typeof document.client_name === 'string' ? document.client_name : undefined,
    redirect_uris: document.redirect_uris,
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    token_endpoint_auth_method: 'none',
  };
}

function refuse(url, reason) {
  log({ msg: 'client metadata document refused', client_id: url, reason });
  return undefined;
}
