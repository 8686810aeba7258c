import { AppError, conflict, unprocessable, type FieldProblem } from '@cb/platform';

/** connector-config's own error answers, one factory per code (`notFound` and `validationFailed` come from @cb/platform). */
export const duplicateSlug = (slug: string): AppError => conflict('duplicate_slug', `a connector with the slug "${slug}" already exists in this workspace`);
export const connectorActive = (): AppError => conflict('connector_active', 'deactivate the connector before deleting it');
export const connectorNeverActivated = (): AppError => conflict('connector_not_active', 'a draft connector has never been activated');
export const modeChangeRefused = (status: string): AppError => conflict('mode_change_refused', `the mode of a ${status} connector cannot change; create a new connector`);
export const clientSecretRequired = (errors: FieldProblem[]): AppError =>
  unprocessable('client_secret_required', 'the client secret must be entered again to change where or how it is sent', { errors });
export const activationRefused = (errors: FieldProblem[]): AppError =>
  unprocessable('activation_refused', `the connector cannot be activated: ${errors.map((e) => e.path).join(', ')}`, { errors });
export const discoveryFailed = (reason: string, message: string): AppError => unprocessable('discovery_failed', message, { reason });
export const rediscoveryUnavailable = (why: string): AppError => unprocessable('rediscovery_unavailable', why);
export const clientRegistrationRequired = (reason: string): AppError => unprocessable('client_registration_required', reason);
