/**
 * What class-validator knows about an event payload class, as the JSON Schema facts a contract
 * document must state: property names, which are required, and each property's type, format,
 * enum, minimum and minLength. Inherited properties are included.
 */
import 'reflect-metadata';
import { getMetadataStorage } from 'class-validator';
import type { ValidationMetadata } from 'class-validator/types/metadata/ValidationMetadata';

export interface ExpectedProperty {
  types: string[];
  format?: string;
  enum?: unknown[];
  minimum?: number;
  minLength?: number;
  items?: { types: string[] };
  /** The nested payload class for `@ValidateNested()` properties. */
  nested?: ExpectedSchema;
  optional: boolean;
}

export interface ExpectedSchema {
  properties: Record<string, ExpectedProperty>;
  required: string[];
}

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
type Constructor = Function;

export function expectedSchema(payload: Constructor): ExpectedSchema {
  const metadatas = getMetadataStorage().getTargetValidationMetadatas(payload, '', true, false);
  const byProperty = new Map<string, ValidationMetadata[]>();
  for (const metadata of metadatas) byProperty.set(metadata.propertyName, [...(byProperty.get(metadata.propertyName) ?? []), metadata]);

  const properties: Record<string, ExpectedProperty> = {};
  for (const [name, list] of byProperty) properties[name] = describeProperty(payload, name, list);
  const required = Object.keys(properties).filter((name) => !properties[name]?.optional);
  return { properties, required };
}

function describeProperty(payload: Constructor, name: string, list: ValidationMetadata[]): ExpectedProperty {
  const has = (kind: string): ValidationMetadata | undefined => list.find((m) => m.name === kind && !m.each);
  const property: ExpectedProperty = { types: [], optional: list.some((m) => m.name === 'isOptional') };
  const types = new Set<string>();
  if (has('isUuid')) {
    types.add('string');
    property.format = 'uuid';
  }
  if (has('isIso8601')) {
    types.add('string');
    property.format = 'date-time';
  }
  if (has('isString')) types.add('string');
  if (has('isInt')) types.add('integer');
  if (has('isBoolean')) types.add('boolean');
  if (has('isObject')) types.add('object');
  if (has('isArray')) {
    types.add('array');
    const each = list.filter((m) => m.each).map((m) => m.name);
    property.items = { types: each.includes('isString') ? ['string'] : each.includes('isInt') ? ['integer'] : [] };
  }
  const isIn = has('isIn');
  if (isIn) {
    const values = (isIn.constraints as unknown[][])[0] ?? [];
    property.enum = values;
    for (const value of values) types.add(typeof value === 'number' ? (Number.isInteger(value) ? 'integer' : 'number') : typeof value);
  }
  const min = has('min');
  if (min) property.minimum = (min.constraints as number[])[0];
  if (has('isNotEmpty')) property.minLength = 1;
  if (list.some((m) => m.type === 'nestedValidation')) {
    types.add('object');
    const nestedClass = Reflect.getMetadata('design:type', payload.prototype as object, name) as Constructor | undefined;
    if (nestedClass && nestedClass !== Object) property.nested = expectedSchema(nestedClass);
  }
  property.types = [...types].sort();
  return property;
}
