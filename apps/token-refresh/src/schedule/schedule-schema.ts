/** The schema of the schedule table (the service's own schema). */
export const SCHEDULE_SCHEMA = Symbol('SCHEDULE_SCHEMA');
