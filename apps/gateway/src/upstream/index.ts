export { UpstreamClient } from './upstream.client';
export type { UpstreamService, UpstreamRequest, UpstreamResponse, RawUpstreamResponse, StreamedUpstreamRequest, StreamedUpstreamResponse } from './upstream.client';
export { isUuid } from './path-params';
