import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const FORMAT = 'v1';
const IV_BYTES = 12;

/** A value sealed with AES-256-GCM: `v1.<keyId>.<iv>.<ciphertext>.<tag>`, base64url parts. */
export type SealedValue = string;

export class VaultKeyError extends Error {
  readonly code = 'vault_key_error';
}

/**
 * Encrypts and decrypts secrets at rest. Every sealed value names the key that sealed it, so a new
 * primary key can be introduced while values sealed under older keys stay readable.
 * @see https://www.rfc-editor.org/rfc/rfc6819#section-5.1.4.1
 */
export class Keyring {
  private readonly keys: ReadonlyMap<string, Buffer>;

  constructor(
    keys: ReadonlyMap<string, Buffer>,
    readonly primaryKeyId: string,
  ) {
    if (!keys.has(primaryKeyId)) throw new VaultKeyError(`primary key id "${primaryKeyId}" is not in the keyring`);
    for (const [id, key] of keys) {
      if (key.length !== 32) throw new VaultKeyError(`key "${id}" must be 32 bytes (base64 of 32 random bytes)`);
      if (!/^[A-Za-z0-9_-]{1,32}$/.test(id)) throw new VaultKeyError(`key id "${id}" must match [A-Za-z0-9_-]{1,32}`);
    }
    this.keys = keys;
  }

  /** Parses `id1:base64key,id2:base64key`; the primary is `primaryKeyId`, or the last one listed. */
  static fromConfig(spec: string, primaryKeyId?: string): Keyring {
    const keys = new Map<string, Buffer>();
    for (const entry of spec.split(',').map((s) => s.trim()).filter(Boolean)) {
      const separator = entry.indexOf(':');
      if (separator <= 0) throw new VaultKeyError('each vault key must be written "<id>:<base64 key>"');
      keys.set(entry.slice(0, separator), Buffer.from(entry.slice(separator + 1), 'base64'));
    }
    const lastId = [...keys.keys()].at(-1);
    if (!lastId) throw new VaultKeyError('no vault key configured');
    return new Keyring(keys, primaryKeyId ?? lastId);
  }

  get keyIds(): string[] {
    return [...this.keys.keys()];
  }

  /** `context` is bound into the ciphertext (AAD): a value sealed for one row cannot be moved to another. */
  seal(plaintext: string, context = ''): SealedValue {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key(this.primaryKeyId), iv);
    cipher.setAAD(Buffer.from(context));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [FORMAT, this.primaryKeyId, iv.toString('base64url'), ciphertext.toString('base64url'), cipher.getAuthTag().toString('base64url')].join('.');
  }

  open(sealed: SealedValue, context = ''): string {
    const [format, keyId, iv, ciphertext, tag] = sealed.split('.');
    if (format !== FORMAT || !keyId || iv === undefined || ciphertext === undefined || !tag) {
      throw new VaultKeyError('sealed value is malformed');
    }
    const decipher = createDecipheriv('aes-256-gcm', this.key(keyId), Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(context));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    try {
      return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
    } catch {
      throw new VaultKeyError(`sealed value failed authentication under key "${keyId}"`);
    }
  }

  /** True when the value was sealed under a key other than the primary one and should be re-sealed. */
  needsRotation(sealed: SealedValue): boolean {
    return keyIdOf(sealed) !== this.primaryKeyId;
  }

  private key(id: string): Buffer {
    const key = this.keys.get(id);
    if (!key) throw new VaultKeyError(`vault key "${id}" is not configured`);
    return key;
  }
}

export function keyIdOf(sealed: SealedValue): string | undefined {
  return sealed.split('.')[1];
}

/** A fresh key in the configuration format, for `VAULT_KEYS`. */
export function generateVaultKey(id: string): string {
  return `${id}:${randomBytes(32).toString('base64')}`;
}
