import type { ReferenceObject, SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { getMetadataStorage, ValidationTypes } from 'class-validator';
import { validationMetadatasToSchemas } from 'class-validator-jsonschema';
import { AUTH_CONFIG_DTOS } from '@cb/auth-modes';

// class-transformer keeps its metadata (the nested DTO types) in a module it does not export by name
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { defaultMetadataStorage } = require('class-transformer/cjs/storage') as typeof import('class-transformer/types/storage');

const REF = '#/components/schemas/';
type Schema = SchemaObject | ReferenceObject;

/** The DTO classes of auth-modes and their names in the document. */
const NAMES: Record<string, string> = {
  OAuth2ConfigDto: 'OAuth2ConfigInput',
  BasicConfigDto: 'BasicConfig',
  ApiKeyConfigDto: 'ApiKeyConfig',
  BearerConfigDto: 'BearerConfig',
  CustomInputConfigDto: 'CustomInputConfigInput',
  RequiredAttributeDto: 'RequiredAttribute',
  TokenResponsePathsDto: 'TokenResponsePaths',
  CustomFieldDto: 'CustomField',
  CustomExpiryDto: 'CustomExpiry',
  VerificationDto: 'VerificationRequest',
};
const MODES = Object.keys(AUTH_CONFIG_DTOS) as (keyof typeof AUTH_CONFIG_DTOS)[];
const STRING_OR_NUMBER: SchemaObject[] = [{ type: 'string' }, { type: 'number' }];

/**
 * The connector configuration of each auth mode as OpenAPI schemas, read from the class-validator
 * DTOs that connector-config validates with, so the document describes the rules the service
 * applies: `AuthConfigInput` for requests, one schema per mode chosen by `mode`, and `AuthConfig`
 * for answers, where each secret is `SecretIsSet` (modes without secrets use one schema for both).
 */
export function authConfigSchemas(): Record<string, Schema> {
  const generated = validationMetadatasToSchemas({
    classValidatorMetadataStorage: getMetadataStorage(),
    classTransformerMetadataStorage: defaultMetadataStorage,
    refPointerPrefix: REF,
    // `@Optional()` (a ValidateIf on absence) leaves a member optional, as @IsOptional does
    additionalConverters: { [ValidationTypes.CONDITIONAL_VALIDATION]: {} },
  }) as Record<string, SchemaObject>;
  const schemas: Record<string, Schema> = {};
  for (const [dto, name] of Object.entries(NAMES)) schemas[name] = tidy(generated[dto] ?? missing(dto));
  const field = schemas['CustomField'] as SchemaObject;
  field.properties = { ...field.properties, default: { oneOf: STRING_OR_NUMBER, description: 'A number for `number` fields. Needed by hidden and disabled fields. Write-only for `password` fields.' } };
  field.required = field.required?.filter((member) => member !== 'default');

  const custom = schemas['CustomInputConfigInput'] as SchemaObject;
  const templates: SchemaObject = { type: 'object', additionalProperties: { type: 'string' }, maxProperties: 20 };
  custom.properties = {
    ...custom.properties,
    placement: {
      type: 'object',
      additionalProperties: false,
      properties: { headers: templates, query: templates },
      description: 'Where the proxy puts the credential: header and query values are templates naming fields as `{fields.<key>}`, e.g. `Token {fields.apiKey}`.',
    },
  };

  schemas['VerificationRequest'] = {
    ...(schemas['VerificationRequest'] as SchemaObject),
    additionalProperties: false,
    description:
      "A cheap request on the connector's API (`path` relative to `apiBaseUrl`, the proxy's path rules, a query string allowed) sent with an API key, Basic, bearer or Custom Input credential before the connection is made: another status than `expectedStatus`, a timeout or a refused address fails the connect session (`credential_rejected` for 401 and 403). An OAuth2 connector sends it with the new access token after the code exchange only with `afterOAuthExchange: true` (a failure then revokes the new grant where the connector has a revocation URL).",
  };
  const oauth2 = schemas['OAuth2ConfigInput'] as SchemaObject;
  oauth2.properties = {
    ...oauth2.properties,
    optionalScopes: {
      ...(oauth2.properties?.['optionalScopes'] as SchemaObject),
      description: "Scopes a connect session may ask for (its request's `scopes`) beyond the connector's `scopes`, e.g. for incremental consent; nothing else may be asked for.",
    },
  };
  schemas['SecretIsSet'] = { type: 'object', required: ['isSet'], properties: { isSet: { type: 'boolean' } }, description: 'A write-only secret: only whether it is stored.' };
  schemas['OAuth2Config'] = withProperty(schemas['OAuth2ConfigInput'], 'clientSecret', { $ref: `${REF}SecretIsSet` });
  schemas['CustomFieldView'] = withProperty(field, 'default', { oneOf: [...STRING_OR_NUMBER, { $ref: `${REF}SecretIsSet` }] });
  schemas['CustomInputConfig'] = withProperty(schemas['CustomInputConfigInput'], 'fields', { type: 'array', items: { $ref: `${REF}CustomFieldView` } });
  const inputs = MODES.map((mode) => NAMES[AUTH_CONFIG_DTOS[mode].name] as string);
  const views = inputs.map((input) => (schemas[input.replace(/Input$/, '')] ? input.replace(/Input$/, '') : input));
  schemas['AuthConfigInput'] = oneOfByMode(inputs);
  schemas['AuthConfig'] = oneOfByMode(views);
  return schemas;
}

/** One of the mode schemas; each names its `mode` as a one-value enum, which is what tells them apart. */
function oneOfByMode(names: string[]): SchemaObject {
  return { oneOf: names.map((name) => ({ $ref: `${REF}${name}` })) };
}

/** Plain references to the renamed DTOs, and no references to JavaScript's own classes. */
function tidy(schema: SchemaObject): SchemaObject {
  const properties = Object.fromEntries(Object.entries(schema.properties ?? {}).map(([key, value]) => [key, tidyMember(value as SchemaObject & { $ref?: string })]));
  return { ...schema, properties };
}

function tidyMember(member: SchemaObject & { $ref?: string }): Schema {
  const { $ref, ...rest } = member;
  const items = rest.items;
  const tidied = items ? { ...rest, items: tidyMember(items) } : rest;
  const target = $ref?.slice(REF.length);
  if (target === undefined || target === 'Array') return tidied;
  if (target === 'Object') return { ...tidied, type: 'object', additionalProperties: { type: 'string' } };
  return { $ref: `${REF}${NAMES[target] ?? missing(target)}` };
}

function withProperty(schema: Schema | undefined, property: string, replacement: Schema): SchemaObject {
  const object = schema as SchemaObject;
  return { ...object, properties: { ...object.properties, [property]: replacement } };
}

function missing(name: string): never {
  throw new Error(`auth-config-schemas: no schema for ${name}; name it in NAMES`);
}
