export { AUTH_MODES, isAuthMode, type AuthMode } from './auth-mode';
export type { FieldError, ValidationResult } from './field-error';
export type { AuthConfig, AuthConfigInput } from './auth-config';

export {
  CLIENT_AUTH_METHODS,
  DEFAULT_REFRESH_MARGIN_SECONDS,
  DEFAULT_TENANT,
  OAUTH2_GRANT_TYPES,
  REFRESH_GRANT_TYPES,
  SCOPE_SEPARATORS,
  TOKEN_REQUEST_FORMATS,
  scopesFor,
  type ClientAuthMethod,
  type OAuth2Config,
  type OAuth2ConfigInput,
  type OAuth2GrantType,
  type RefreshGrantType,
  type RequiredAttribute,
  type ScopeSeparator,
  type TokenRequestFormat,
  type TokenResponsePaths,
} from './modes/oauth2/oauth2-config';
export type { BasicConfig, BasicConfigInput } from './modes/basic/basic-config';
export {
  API_KEY_PLACEMENTS,
  DEFAULT_API_KEY_HEADER,
  DEFAULT_API_KEY_QUERY_PARAM,
  type ApiKeyConfig,
  type ApiKeyConfigInput,
  type ApiKeyPlacement,
} from './modes/api-key/api-key-config';
export type { BearerConfig, BearerConfigInput } from './modes/bearer/bearer-config';
export {
  CUSTOM_FIELD_TYPES,
  type CustomExpiry,
  type CustomExpiryInput,
  type CustomField,
  type CustomFieldInput,
  type CustomFieldType,
  type CustomInputConfig,
  type CustomInputConfigInput,
  type CustomPlacement,
  placementFieldKeys,
  renderPlacement,
} from './modes/custom/custom-input-config';

export {
  OAuth2ConfigDto,
  RequiredAttributeDto,
  RESERVED_AUTHORIZATION_PARAMS,
  TokenResponsePathsDto,
} from './modes/oauth2/oauth2-config.dto';
export { BasicConfigDto } from './modes/basic/basic-config.dto';
export { ApiKeyConfigDto } from './modes/api-key/api-key-config.dto';
export { BearerConfigDto } from './modes/bearer/bearer-config.dto';
export { CustomExpiryDto, CustomFieldDto, CustomInputConfigDto } from './modes/custom/custom-input-config.dto';
export { AUTH_CONFIG_DTOS } from './auth-config.dtos';
export { VerificationDto } from './verification/verification.dto';
export {
  VERIFICATION_METHODS,
  verificationPathProblem,
  type VerificationMethod,
  type VerificationRequest,
} from './verification/verification';
export { LOOPBACK_ENDPOINTS_GROUP, STRICT_ENDPOINTS_GROUP } from './validation/validation-groups';

export { validateAuthConfig, type AuthConfigValidationOptions } from './validate-auth-config';
export { activationGaps } from './activation-gaps';
export {
  fieldDefaultSecretPath,
  mergeSecrets,
  redactedView,
  secretPaths,
  splitSecrets,
  type RedactedAuthConfig,
  type RedactedCustomField,
  type RedactedCustomInputConfig,
  type RedactedOAuth2Config,
  type SecretMarker,
  type SecretValues,
} from './secrets';

export {
  renderUrl,
  UrlTemplateError,
  type UrlTemplateErrorCode,
  type UrlTemplateValues,
} from './url/url-template';
export { apiBaseUrlProblem, renderApiBaseUrl, type ApiBaseUrlValues } from './url/api-base-url';
export { renderOAuth2Urls, type RenderedOAuth2Urls } from './modes/oauth2/render-oauth2-urls';
export { validateRequiredAttributes, type ConnectionAttributes, type PartialConnectionAttributes } from './required-attributes';
export { validateCredentialInput, type CredentialInput } from './credential-input';
export { credentialExpiry } from './credential-expiry';

export type { ProviderTemplate, TemplateConfig, TemplateSuppliedMember, TemplateVerification } from './templates/provider-template';
export {
  configFromTemplate,
  getTemplate,
  listTemplates,
  UnknownTemplateError,
  type TemplateCredentials,
} from './templates/template-registry';
export { applyTemplateOverride, mergePatch, validateTemplateOverride, type TemplateOverride } from './templates/template-override';
