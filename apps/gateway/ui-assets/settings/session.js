// The workspace API key the user signed in with, kept in this browser tab only (sessionStorage).
import { ApiError, apiRequest } from '../api.js';

const KEY_STORAGE = 'credential-broker.apiKey';
const signOutListeners = [];
let apiKey = sessionStorage.getItem(KEY_STORAGE);

export function signedInKey() {
  return apiKey;
}

export function signIn(key) {
  apiKey = key;
  sessionStorage.setItem(KEY_STORAGE, key);
}

/** `listener(message)` runs on every sign-out; the message is for the sign-in screen. */
export function onSignOut(listener) {
  signOutListeners.push(listener);
}

export function signOut(message) {
  apiKey = null;
  sessionStorage.removeItem(KEY_STORAGE);
  for (const listener of signOutListeners) listener(message);
}

/** A call to the gateway with the signed-in key; a refused key signs the user out. */
export function api(path, options = {}) {
  return apiRequest(path, { ...options, credential: apiKey }).catch((error) => {
    if (error instanceof ApiError && error.status === 401) {
      signOut('The API key was refused. Please sign in again.');
    }
    throw error;
  });
}
