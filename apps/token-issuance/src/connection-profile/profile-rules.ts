// The rules live with the connect events that carry metadata and tags (oauth-authorization checks them too).
export { isPlainObject, mergePatch, METADATA_LIMITS, metadataProblems, parseTagFilter, TAG_FILTER, TAG_KEY, TAG_LIMITS, tagProblems } from '@cb/events';
