import { RefreshSchedule1764400000000 } from './1764400000000-refresh-schedule';
import { RefreshScheduleFirstLease1766300000000 } from './1766300000000-refresh-schedule-first-lease';

/** In order of application. Tables change only through these, never through `synchronize`. */
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export const MIGRATIONS: Function[] = [RefreshSchedule1764400000000, RefreshScheduleFirstLease1766300000000];
