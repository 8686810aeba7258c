import { metadataProblems, tagProblems, type EndUserDetails } from '@cb/events';
import { validationFailed } from '@cb/platform';
import type { ConnectSessionEntity, SessionProfile } from './connect-session.entity';
import type { OpenConnectSessionRequestDto } from './open-connect-session.request.dto';

/** The end user a session names: `endUserId`, `endUser.id`, or both when they agree. */
export function requestedEndUser(request: OpenConnectSessionRequestDto): { id: string | undefined; details: EndUserDetails | null } {
  const { endUserId, endUser } = request;
  if (endUserId !== undefined && endUser !== undefined && endUserId !== endUser.id) {
    throw validationFailed([{ path: 'endUser.id', message: 'endUser.id must match endUserId when both are given' }]);
  }
  if (endUser === undefined) return { id: endUserId, details: null };
  const details: EndUserDetails = {
    ...(endUser.displayName === undefined ? {} : { displayName: endUser.displayName }),
    ...(endUser.email === undefined ? {} : { email: endUser.email }),
    ...(endUser.organizationId === undefined ? {} : { organizationId: endUser.organizationId }),
  };
  return { id: endUser.id, details: Object.keys(details).length === 0 ? null : details };
}

/** The optional `endUser` member of CodeReceived / CredentialsSubmitted. */
export function endUserMember(session: Pick<ConnectSessionEntity, 'endUserDetails'>): { endUser?: EndUserDetails } {
  return session.endUserDetails === null ? {} : { endUser: session.endUserDetails };
}

/** The metadata and tags a session was opened with, checked with the bounds of `PATCH /v1/connections/{id}`; null when neither was given. */
export function requestedProfile(request: OpenConnectSessionRequestDto): SessionProfile | null {
  const problems = [...(request.metadata === undefined ? [] : metadataProblems(request.metadata)), ...(request.tags === undefined ? [] : tagProblems(request.tags))];
  if (problems.length > 0) throw validationFailed(problems);
  if (request.metadata === undefined && request.tags === undefined) return null;
  return { ...(request.metadata === undefined ? {} : { metadata: request.metadata }), ...(request.tags === undefined ? {} : { tags: request.tags }) };
}

/** The optional `metadata` and `tags` members of CodeReceived / CredentialsSubmitted. */
export function profileMember(session: Pick<ConnectSessionEntity, 'profile'>): { metadata?: Record<string, unknown>; tags?: Record<string, string> } {
  return (session.profile ?? {}) as { metadata?: Record<string, unknown>; tags?: Record<string, string> };
}
