/**
 * class-validator cannot pass options to a decorator at validation time, so the two URL policies
 * are two groups. Validating without groups (a plain NestJS `ValidationPipe`) applies both, which
 * means the strict one wins: a DTO on its own never accepts plain http.
 */
export const STRICT_ENDPOINTS_GROUP = 'strict-endpoints';
export const LOOPBACK_ENDPOINTS_GROUP = 'loopback-endpoints';
