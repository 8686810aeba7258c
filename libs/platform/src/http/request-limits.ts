import type { NextFunction, Request, Response } from 'express';

/** Deeper JSON is refused before parsing: validation and forwarding recurse once per level. */
export const MAX_JSON_DEPTH = 64;

/** A body-parser `verify` failure carries a type and a 4xx status, which the error filter maps. */
export class RequestBodyRefused extends Error {
  readonly status = 400;
  constructor(
    readonly type: 'entity.too.deep' | 'entity.nul.character',
    message: string,
  ) {
    super(message);
  }
}

/**
 * Scans a JSON body once, before it is parsed: nesting deeper than {@link MAX_JSON_DEPTH} (a stack
 * overflow in class-transformer, the validation pipe or JSON.stringify otherwise), and a `\u0000`
 * escape in a string (PostgreSQL text and jsonb cannot hold NUL) are refused with a 400.
 */
export function checkJsonBody(body: Buffer): void {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < body.length; i++) {
    const byte = body[i];
    if (inString) {
      if (byte === 0x5c /* \ */) {
        if (body[i + 1] === 0x75 /* u */ && body.subarray(i + 2, i + 6).toString('latin1') === '0000') {
          throw new RequestBodyRefused('entity.nul.character', 'request body contains a NUL character');
        }
        i += 1;
      } else if (byte === 0x22 /* " */) {
        inString = false;
      }
    } else if (byte === 0x22) {
      inString = true;
    } else if (byte === 0x7b /* { */ || byte === 0x5b /* [ */) {
      depth += 1;
      if (depth > MAX_JSON_DEPTH) throw new RequestBodyRefused('entity.too.deep', `request body is nested deeper than ${MAX_JSON_DEPTH} levels`);
    } else if (byte === 0x7d || byte === 0x5d) {
      depth -= 1;
    }
  }
}

/** A NUL byte (`%00`) in a path or query names nothing and would fail in PostgreSQL: 400 before routing. */
export function refuseNulInUrl(request: Request, response: Response, next: NextFunction): void {
  if (/%00/i.test(request.originalUrl ?? request.url)) {
    response.status(400).json({ error: { code: 'bad_request', message: 'the URL contains a NUL character' } });
    return;
  }
  next();
}

/** Keys that name an object's prototype machinery: never data, refused wherever they appear. */
const RESERVED_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** The dotted path of the first reserved key in a parsed JSON value, e.g. `config.constructor`. */
export function reservedKeyPath(value: unknown, path = ''): string | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  for (const key of Object.keys(value)) {
    const here = path ? `${path}.${key}` : key;
    if (RESERVED_KEYS.has(key)) return here;
    const found = reservedKeyPath((value as Record<string, unknown>)[key], here);
    if (found) return found;
  }
  return undefined;
}

/** A JSON body with a `__proto__`, `constructor` or `prototype` key anywhere: 400 naming where. */
export function refuseReservedKeys(request: Request, response: Response, next: NextFunction): void {
  const path = reservedKeyPath(request.body);
  if (path === undefined) return next();
  response.status(400).json({
    error: { code: 'validation_failed', message: `request is invalid: ${path}`, details: { errors: [{ path, message: 'a key named __proto__, constructor or prototype is not allowed' }] } },
  });
}

const JSON_MEDIA_TYPE = /^application\/([\w.+-]+\+)?json\s*(;|$)/i;

/** Every body this API takes is JSON: a body of another media type is 415, not silently ignored. */
export function refuseNonJsonBodies(request: Request, response: Response, next: NextFunction): void {
  const hasBody = Number(request.headers['content-length'] ?? 0) > 0 || request.headers['transfer-encoding'] !== undefined;
  if (!hasBody || !['POST', 'PUT', 'PATCH'].includes(request.method) || JSON_MEDIA_TYPE.test(request.headers['content-type'] ?? '')) return next();
  response.status(415).json({ error: { code: 'unsupported_media_type', message: 'request bodies must be application/json' } });
}
