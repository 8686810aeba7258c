import 'reflect-metadata';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsObject,
  IsString,
  Length,
  Matches,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { HasUniqueKeys, IsRegexSource, IsStringRecord, Satisfies } from '../../validation/decorators';
import { ApiBaseUrl } from '../../url/api-base-url';
import { Optional } from '../../validation/optional';
import { VerificationDto, VerificationMember } from '../../verification/verification.dto';
import { DOT_PATH, IDENTIFIER, SCOPE_TOKEN, SINGLE_LINE, TENANT } from '../../validation/patterns';
import { LOOPBACK_ENDPOINTS_GROUP, STRICT_ENDPOINTS_GROUP } from '../../validation/validation-groups';
import { endpointUrlProblem } from '../../url/endpoint-url';
import { metadataPathsProblem, responsePathsProblem } from './token-material-paths';
import {
  CLIENT_AUTH_METHODS,
  OAUTH2_GRANT_TYPES,
  REFRESH_GRANT_TYPES,
  SCOPE_SEPARATORS,
  TOKEN_REQUEST_FORMATS,
  type ClientAuthMethod,
  type OAuth2ConfigInput,
  type OAuth2GrantType,
  type RefreshGrantType,
  type RequiredAttribute,
  type ScopeSeparator,
  type TokenRequestFormat,
  type TokenResponsePaths,
} from './oauth2-config';
import { LabelledFieldDto } from '../../validation/labelled-field.dto';

/**
 * Parameters the broker itself puts in the authorization request. A connector may not set them:
 * `response_type=token` would turn on the implicit grant, and the others belong to the flow.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-2.1.2
 */
export const RESERVED_AUTHORIZATION_PARAMS = [
  'response_type',
  'client_id',
  'client_secret',
  'redirect_uri',
  'state',
  'scope',
  'code_challenge',
  'code_challenge_method',
] as const;

const MAX_URL_LENGTH = 2048;
/** 30 days: an assumed lifetime is a guess, and a guess longer than this is a dead token. */
const MAX_ASSUMED_TOKEN_LIFETIME_SECONDS = 2_592_000;

export class RequiredAttributeDto extends LabelledFieldDto implements RequiredAttribute {
  @Optional()
  @IsRegexSource()
  readonly pattern?: string;
}

export class TokenResponsePathsDto implements TokenResponsePaths {
  @Optional() @Matches(DOT_PATH, { message: 'accessToken must be a dot path' }) readonly accessToken?: string;
  @Optional() @Matches(DOT_PATH, { message: 'refreshToken must be a dot path' }) readonly refreshToken?: string;
  @Optional() @Matches(DOT_PATH, { message: 'expiresIn must be a dot path' }) readonly expiresIn?: string;
  @Optional() @Matches(DOT_PATH, { message: 'scope must be a dot path' }) readonly scope?: string;
  @Optional() @Matches(DOT_PATH, { message: 'tokenType must be a dot path' }) readonly tokenType?: string;
}

/** Both URL policies; validating without groups applies both, so the strict one decides. */
function EndpointUrl(): PropertyDecorator {
  const strict = Satisfies('isEndpointUrl', (value, object) => urlProblem(value, object, false), {
    groups: [STRICT_ENDPOINTS_GROUP],
  });
  const loopback = Satisfies('isEndpointUrl', (value, object) => urlProblem(value, object, true), {
    groups: [LOOPBACK_ENDPOINTS_GROUP],
  });
  return (target, property) => {
    strict(target, property);
    loopback(target, property);
  };
}

function urlProblem(value: unknown, object: object, allowInsecureLoopback: boolean): string | undefined {
  if (typeof value !== 'string') return 'must be a string';
  if (value.length > MAX_URL_LENGTH) return `must be at most ${MAX_URL_LENGTH} characters`;
  const declared = (object as { requiredAttributes?: unknown }).requiredAttributes;
  const attributes = new Map<string, { pattern?: string }>();
  if (Array.isArray(declared)) {
    for (const item of declared as Array<Partial<RequiredAttribute> | null>) {
      if (typeof item?.key === 'string') attributes.set(item.key, typeof item.pattern === 'string' ? { pattern: item.pattern } : {});
    }
  }
  return endpointUrlProblem(value, { allowInsecureLoopback, attributes });
}

function scopeSeparatorProblem(value: unknown, object: object): string | undefined {
  const separator = (object as { scopeSeparator?: unknown }).scopeSeparator ?? ' ';
  if (!Array.isArray(value) || typeof separator !== 'string') return undefined;
  return value.some((scope) => typeof scope === 'string' && scope.includes(separator))
    ? 'must not contain the scope separator'
    : undefined;
}

/**
 * Request body for an OAuth 2.0 connector. Members needed only to activate (`authorizationUrl`,
 * `tokenUrl`, `clientId`, and `clientSecret` for client credentials) are optional here so that
 * drafts can be saved; `activationGaps` says what is still missing.
 */
export class OAuth2ConfigDto implements OAuth2ConfigInput {
  @IsIn(['OAUTH2'])
  readonly mode: 'OAUTH2';

  @Optional()
  @EndpointUrl()
  readonly authorizationUrl?: string;

  @Optional()
  @Matches(SINGLE_LINE, { message: 'clientId must be a single line' })
  @Length(1, 500)
  @IsString()
  readonly clientId?: string;

  @Optional()
  @Length(1, 2000, { message: 'clientSecret must be 1 to 2000 characters' })
  @IsString({ message: 'clientSecret must be a string' })
  readonly clientSecret?: string;

  @Optional()
  @Satisfies('hasNoSeparatorInScopes', scopeSeparatorProblem)
  @Matches(SCOPE_TOKEN, { each: true, message: 'each scope must be a non-empty RFC 6749 scope token' })
  @ArrayMaxSize(200)
  @IsArray()
  readonly scopes?: string[];

  @Optional()
  @Satisfies('hasNoSeparatorInScopes', scopeSeparatorProblem)
  @Matches(SCOPE_TOKEN, { each: true, message: 'each optionalScopes item must be a non-empty RFC 6749 scope token' })
  @ArrayMaxSize(200)
  @IsArray()
  readonly optionalScopes?: string[];

  @Optional()
  @IsIn(SCOPE_SEPARATORS)
  readonly scopeSeparator?: ScopeSeparator;

  @Optional()
  @Matches(IDENTIFIER, { message: 'scopeParam must be a parameter name' })
  readonly scopeParam?: string;

  @Optional()
  @IsStringRecord({ keyPattern: /^[A-Za-z0-9_.:-]{1,100}$/, reservedKeys: RESERVED_AUTHORIZATION_PARAMS, maxEntries: 50 })
  readonly authorizationParams?: Record<string, string>;

  @Optional()
  @HasUniqueKeys()
  @ValidateNested({ each: true, message: 'each requiredAttributes item must be an object' })
  @ArrayMaxSize(20)
  @IsArray()
  @Type(() => RequiredAttributeDto)
  readonly requiredAttributes?: RequiredAttributeDto[];

  @Optional()
  @Matches(TENANT, { message: 'tenantId must be a tenant name or id' })
  @IsString()
  readonly tenantId?: string;

  @Optional()
  @IsIn(OAUTH2_GRANT_TYPES)
  readonly grantType?: OAuth2GrantType;

  @Optional()
  @EndpointUrl()
  readonly tokenUrl?: string;

  @Optional()
  @IsIn(REFRESH_GRANT_TYPES)
  readonly refreshGrantType?: RefreshGrantType;

  @Optional()
  @IsIn(CLIENT_AUTH_METHODS)
  readonly clientAuthMethod?: ClientAuthMethod;

  @Optional()
  @IsIn(TOKEN_REQUEST_FORMATS)
  readonly tokenRequestFormat?: TokenRequestFormat;

  @Optional()
  @IsBoolean()
  readonly pkce?: boolean;

  @Optional()
  @EndpointUrl()
  readonly revocationUrl?: string;

  @Optional()
  @EndpointUrl()
  readonly introspectionUrl?: string;

  @Optional()
  @EndpointUrl()
  readonly issuer?: string;

  @Optional()
  @EndpointUrl()
  readonly resource?: string;

  @Optional()
  @Satisfies('copiesNoToken', (value) => responsePathsProblem(value))
  @ValidateNested()
  @IsObject({ message: 'tokenResponsePaths must be an object' })
  @Type(() => TokenResponsePathsDto)
  readonly tokenResponsePaths?: TokenResponsePathsDto;

  @Optional()
  @Satisfies('copiesNoToken', (value, object) => metadataPathsProblem(value, (object as { tokenResponsePaths?: unknown }).tokenResponsePaths))
  @IsStringRecord({ keyPattern: IDENTIFIER, valuePattern: DOT_PATH, maxEntries: 50 })
  readonly metadataPaths?: Record<string, string>;

  @Optional()
  @Max(86_400)
  @Min(0)
  @IsInt()
  readonly refreshMarginSeconds?: number;

  @Optional()
  @Min(1)
  @IsInt()
  readonly refreshTokenLifetimeSeconds?: number;

  @Optional()
  @Max(MAX_ASSUMED_TOKEN_LIFETIME_SECONDS)
  @Min(1)
  @IsInt()
  readonly assumedTokenLifetimeSeconds?: number;

  @Optional()
  @ApiBaseUrl()
  readonly apiBaseUrl?: string;

  @VerificationMember()
  readonly verification?: VerificationDto;
}
