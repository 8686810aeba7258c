import { AppError, conflict, unprocessable } from '@cb/platform';

/** The webhooks module's own error answers (`notFound` and `validationFailed` come from @cb/platform). */
export const endpointLimitReached = (limit: number): AppError => unprocessable('endpoint_limit_reached', `a workspace has at most ${limit} webhook endpoints`);
export const deliveryInFlight = (): AppError => conflict('delivery_in_flight', 'the delivery is being sent right now; replay it once this attempt has ended');
