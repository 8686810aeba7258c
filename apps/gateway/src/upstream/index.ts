export { UpstreamClient } from './upstream.client';
export type { UpstreamService, UpstreamRequest, UpstreamResponse, RawUpstreamResponse } from './upstream.client';
export { isUuid } from './path-params';
