/**
 * Test-only preload for token-issuance, loaded by a fault test through NODE_OPTIONS=--require: it
 * SIGKILLs the process at one point of an authorization code exchange. Nothing under apps/ or libs/
 * knows about it.
 *
 * KILL_DURING_CODE_EXCHANGE=request_sent     once the token request's body has left the process
 * KILL_DURING_CODE_EXCHANGE=answer_received  once the provider's answer has arrived, before the
 *                                            broker reads it (so before the credential is committed)
 */
'use strict';

const diagnostics = require('node:diagnostics_channel');

const phase = process.env.KILL_DURING_CODE_EXCHANGE;
if (phase !== 'request_sent' && phase !== 'answer_received') {
  throw new Error(`KILL_DURING_CODE_EXCHANGE must be request_sent or answer_received, not ${JSON.stringify(phase)}`);
}

const die = () => process.kill(process.pid, 'SIGKILL');
const isCodeExchange = (init) => /grant_type=authorization_code|"grant_type"\s*:\s*"authorization_code"/.test(String(init?.body ?? ''));
/** A fetch that dies at the chosen point of a code exchange and passes everything else to `original`. */
function dyingDuringTheCodeExchange(original) {
  return async function fetchThatDiesDuringTheCodeExchange(input, init) {
    if (!isCodeExchange(init)) return original(input, init);
    if (phase === 'request_sent') {
      const path = new URL(input instanceof Request ? input.url : String(input)).pathname;
      // undici reports here once the whole body is written to the socket
      diagnostics.subscribe('undici:request:bodySent', ({ request }) => {
        if (request.method === 'POST' && request.path.startsWith(path)) die();
      });
    }
    const answer = await original(input, init);
    if (phase === 'request_sent') throw new Error('the token request was answered before the kill: the seam did not see the body leave');
    die();
    return answer;
  };
}

// Token requests go through the undici package (its dispatcher checks outbound addresses); wrap
// the global fetch too, so that the seam holds whichever one the token leg uses.
const undici = require('undici');
undici.fetch = dyingDuringTheCodeExchange(undici.fetch);
globalThis.fetch = dyingDuringTheCodeExchange(globalThis.fetch);
