import 'reflect-metadata';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsObject,
  Matches,
  Min,
  ValidateNested,
} from 'class-validator';
import { HasUniqueKeys, Satisfies } from '../../validation/decorators';
import { ApiBaseUrl } from '../../url/api-base-url';
import { Optional } from '../../validation/optional';
import { VerificationDto, VerificationMember } from '../../verification/verification.dto';
import { RequiredAttributeDto } from '../oauth2/oauth2-config.dto';
import { RequiredAttributesMember } from '../required-attributes-member';
import { HEADER_NAME, IDENTIFIER } from '../../validation/patterns';
import {
  CUSTOM_FIELD_TYPES,
  type CustomExpiryInput,
  type CustomFieldInput,
  type CustomFieldType,
  type CustomInputConfigInput,
  type CustomPlacement,
  placementFieldKeys,
} from './custom-input-config';
import { LabelledFieldDto } from '../../validation/labelled-field.dto';

const MAX_DEFAULT_LENGTH = 4000;

function defaultProblem(value: unknown, object: object): string | undefined {
  const field = object as CustomFieldDto;
  if (value === undefined) {
    return field.hidden === true || field.disabled === true ? 'is needed: hidden and disabled fields take their default' : undefined;
  }
  if (field.type === 'number') {
    return typeof value === 'number' && Number.isFinite(value) ? undefined : 'must be a number for a number field';
  }
  if (typeof value !== 'string') return 'must be a string for a text or password field';
  return value.length <= MAX_DEFAULT_LENGTH ? undefined : `must be at most ${MAX_DEFAULT_LENGTH} characters`;
}

export class CustomFieldDto extends LabelledFieldDto implements CustomFieldInput {
  @IsIn(CUSTOM_FIELD_TYPES)
  readonly type: CustomFieldType;

  @Optional()
  @IsBoolean()
  readonly required?: boolean;

  /** Validated even when absent, because hidden and disabled fields need one. */
  @Satisfies('isFieldDefault', defaultProblem)
  readonly default?: string | number;

  @Optional()
  @IsBoolean()
  readonly hidden?: boolean;

  @Optional()
  @IsBoolean()
  readonly disabled?: boolean;
}

/** Exactly one of the two members; `fromField` is checked against the fields by the parent. */
export class CustomExpiryDto implements CustomExpiryInput {
  @Optional()
  @Min(1)
  @IsInt()
  readonly lifetimeSeconds?: number;

  @Optional()
  @Matches(IDENTIFIER, { message: 'fromField must be a field key' })
  readonly fromField?: string;
}

function expiryProblem(value: unknown, object: object): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const expiry = value as CustomExpiryDto;
  if ((expiry.lifetimeSeconds === undefined) === (expiry.fromField === undefined)) {
    return 'must have either lifetimeSeconds or fromField';
  }
  if (expiry.fromField === undefined) return undefined;
  const fields = (object as CustomInputConfigDto).fields;
  const source = Array.isArray(fields) ? fields.find((field) => field?.key === expiry.fromField) : undefined;
  if (source?.type === 'number') return undefined;
  return `needs fromField to name a number field; '${expiry.fromField}' is not one`;
}

const PLACEMENT_VALUE = /^[^\x00-\x1F\x7F]{1,1000}$/;
/** Headers the proxy sets or refuses itself; a placement cannot name them. */
const RESERVED_PLACEMENT_HEADERS = ['host', 'content-length', 'transfer-encoding', 'connection', 'cookie', 'te', 'upgrade', 'trailer', 'keep-alive', 'proxy-authorization'];

/** `{ headers?, query? }`, each an object of templates naming only `{fields.<key>}` of this connector's fields. */
function placementProblem(value: unknown, object: object): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'must be an object with headers and/or query';
  const declared = (object as CustomInputConfigDto).fields;
  const keys = new Set(Array.isArray(declared) ? declared.map((field) => field?.key) : []);
  for (const [member, entries] of Object.entries(value)) {
    if (member !== 'headers' && member !== 'query') return `has an unknown member '${member.slice(0, 64)}'; use headers and query`;
    if (typeof entries !== 'object' || entries === null || Array.isArray(entries)) return `${member} must be an object of templates`;
    const names = Object.keys(entries as object);
    if (names.length > 20) return `${member} must have at most 20 entries`;
    for (const name of names) {
      const template: unknown = (entries as Record<string, unknown>)[name];
      if (member === 'headers' && (!HEADER_NAME.test(name) || name.length > 100)) return `headers has an invalid header name '${name.slice(0, 64)}'`;
      if (member === 'headers' && RESERVED_PLACEMENT_HEADERS.includes(name.toLowerCase())) return `headers must not set '${name}': the proxy sets it`;
      if (member === 'query' && !/^[A-Za-z0-9_.~-]{1,100}$/.test(name)) return `query has an invalid parameter name '${name.slice(0, 64)}'`;
      if (typeof template !== 'string' || !PLACEMENT_VALUE.test(template)) return `${member}.${name} must be a single line of 1 to 1000 characters`;
      const stray = template.replace(/\{fields\.[A-Za-z_][A-Za-z0-9_]{0,63}\}/g, '');
      if (/[{}]/.test(stray)) return `${member}.${name} may name only {fields.<key>} in braces`;
      const unknown = placementFieldKeys(template).find((key) => !keys.has(key));
      if (unknown !== undefined) return `${member}.${name} names {fields.${unknown}}, which is not a field of this connector`;
    }
  }
  return undefined;
}

/** Request body for a Custom Input connector. An empty `fields` is a draft; activation needs one. */
export class CustomInputConfigDto implements CustomInputConfigInput {
  @IsIn(['CUSTOM'])
  readonly mode: 'CUSTOM';

  @Optional()
  @HasUniqueKeys()
  @ValidateNested({ each: true, message: 'each fields item must be an object' })
  @ArrayMaxSize(50)
  @IsArray()
  @Type(() => CustomFieldDto)
  readonly fields?: CustomFieldDto[];

  @Optional()
  @Satisfies('isCustomExpiry', expiryProblem)
  @ValidateNested()
  @IsObject()
  @Type(() => CustomExpiryDto)
  readonly expiry?: CustomExpiryDto;

  @Optional()
  @ApiBaseUrl()
  readonly apiBaseUrl?: string;

  @Optional()
  @Satisfies('isPlacement', placementProblem)
  readonly placement?: CustomPlacement;

  @VerificationMember()
  readonly verification?: VerificationDto;

  @RequiredAttributesMember()
  readonly requiredAttributes?: RequiredAttributeDto[];
}
