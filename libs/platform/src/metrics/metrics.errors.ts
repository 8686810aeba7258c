import { AppError } from '../errors/app-error';

/** The metrics endpoint's refusals; the body is the standard error body. */
export const metricsOff = (): AppError => new AppError('metrics_disabled', 'metrics are off until METRICS_TOKEN is set', 404);
export const metricsTokenRejected = (): AppError => new AppError('unauthorized', 'metrics token missing or wrong: send Authorization: Bearer <METRICS_TOKEN>', 401);
