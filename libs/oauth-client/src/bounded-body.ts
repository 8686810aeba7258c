/**
 * The most a provider's answer (token, introspection, revocation) may hold, decoded, in bytes. Real
 * token responses are a few KiB (a large ID token with many claims stays well under 16 KiB); what
 * is longer is an endpoint streaming something else, and buffering it would cost memory until the
 * request's timeout.
 */
export const MAX_RESPONSE_BYTES = 64 * 1024;

/** What {@link readAtMost} needs of a `fetch` response: the global one, undici's, or a test's. */
export interface ResponseWithBody {
  readonly headers: { get(name: string): string | null };
  readonly body: ReadableStream<Uint8Array> | null;
}

/**
 * The body as text, or `undefined` when it is longer than `limitBytes`: refused before reading when
 * `Content-Length` announces more, otherwise as soon as the bytes read pass the limit. The caller
 * aborts the request then, which closes the connection; the reader is cancelled here too, so that a
 * `fetch` that does not watch the signal stops as well. Counts decoded bytes, so a small compressed
 * body that inflates past the limit is refused too.
 */
export async function readAtMost(response: ResponseWithBody, limitBytes: number): Promise<string | undefined> {
  const declared = response.headers.get('content-length');
  if (declared !== null && /^\d+$/.test(declared.trim()) && Number(declared) > limitBytes) {
    cancelQuietly(response.body);
    return undefined;
  }
  if (response.body === null) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let length = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    length += value.byteLength;
    if (length > limitBytes) {
      reader.cancel().catch(() => undefined);
      return undefined;
    }
    chunks.push(value);
  }
  return new TextDecoder().decode(Buffer.concat(chunks, length));
}

function cancelQuietly(body: ReadableStream<Uint8Array> | null): void {
  if (body !== null && !body.locked) body.cancel().catch(() => undefined);
}
