export const SERVICE_CONFIG = Symbol('SERVICE_CONFIG');
export const KEYRING = Symbol('KEYRING');
export const LOGGER = Symbol('LOGGER');
export const KAFKA_ADMIN = Symbol('KAFKA_ADMIN');
