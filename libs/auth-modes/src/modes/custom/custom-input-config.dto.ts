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
import { Optional } from '../../validation/optional';
import { IDENTIFIER } from '../../validation/patterns';
import {
  CUSTOM_FIELD_TYPES,
  type CustomExpiryInput,
  type CustomFieldInput,
  type CustomFieldType,
  type CustomInputConfigInput,
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
}
