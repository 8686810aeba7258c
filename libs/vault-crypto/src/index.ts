export { Keyring, VaultKeyError, keyIdOf, generateVaultKey } from './keyring';
export type { SealedValue } from './keyring';
