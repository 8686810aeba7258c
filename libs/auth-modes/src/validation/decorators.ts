import { registerDecorator, type ValidationArguments, type ValidationOptions } from 'class-validator';
import { linearPatternProblem } from './linear-pattern';
import { MAX_PATTERN_LENGTH } from './patterns';

function register(
  name: string,
  options: ValidationOptions | undefined,
  validate: (value: unknown, args: ValidationArguments) => boolean,
  message: string | ((args: ValidationArguments) => string),
): PropertyDecorator {
  return (target: object, propertyName: string | symbol) => {
    registerDecorator({
      name,
      target: target.constructor,
      propertyName: propertyName.toString(),
      options,
      validator: {
        validate,
        defaultMessage: (args?: ValidationArguments) =>
          typeof message === 'string' || args === undefined ? String(message) : message(args),
      },
    });
  };
}

export interface StringRecordRules {
  readonly keyPattern: RegExp;
  readonly valuePattern?: RegExp;
  readonly reservedKeys?: readonly string[];
  readonly maxEntries?: number;
}

/** An object whose keys match `keyPattern` and whose values are strings (matching `valuePattern`). */
export function IsStringRecord(rules: StringRecordRules, options?: ValidationOptions): PropertyDecorator {
  return register(
    'isStringRecord',
    options,
    (value) => stringRecordProblem(value, rules) === undefined,
    (args) => `${args.property} ${stringRecordProblem(args.value, rules) ?? 'is invalid'}`,
  );
}

function stringRecordProblem(value: unknown, rules: StringRecordRules): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'must be an object of strings';
  const entries = Object.entries(value);
  if (rules.maxEntries !== undefined && entries.length > rules.maxEntries) {
    return `must have at most ${rules.maxEntries} entries`;
  }
  for (const [key, entry] of entries) {
    if (!rules.keyPattern.test(key)) return `has an invalid key '${key.slice(0, 64)}'`;
    if (rules.reservedKeys?.includes(key)) return `must not set '${key}': the broker sets it`;
    if (typeof entry !== 'string') return `must map '${key}' to a string`;
    if (rules.valuePattern !== undefined && !rules.valuePattern.test(entry)) return `has an invalid value for '${key}'`;
  }
  return undefined;
}

/** A regular expression that RE2 compiles (so it matches in linear time): see `linearPatternProblem`. */
export function IsRegexSource(options?: ValidationOptions): PropertyDecorator {
  return register(
    'isRegexSource',
    options,
    (value) => regexSourceProblem(value) === undefined,
    (args) => `${args.property} ${regexSourceProblem(args.value) ?? 'is invalid'}`,
  );
}

function regexSourceProblem(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length > MAX_PATTERN_LENGTH) return `must be a regular expression of at most ${MAX_PATTERN_LENGTH} characters`;
  const problem = linearPatternProblem(value);
  return problem === undefined ? undefined : `must be a regular expression in RE2 syntax (no lookaround or backreferences): ${problem}`;
}

/** An array of objects whose `key` values are all different. */
export function HasUniqueKeys(options?: ValidationOptions): PropertyDecorator {
  return register(
    'hasUniqueKeys',
    options,
    (value) => firstRepeatedKey(value) === undefined,
    (args) => {
      const repeated = firstRepeatedKey(args.value);
      return `${args.property} use the key '${repeated?.key ?? ''}' twice (items ${repeated?.first ?? 0} and ${repeated?.second ?? 0})`;
    },
  );
}

function firstRepeatedKey(value: unknown): { key: string; first: number; second: number } | undefined {
  if (!Array.isArray(value)) return undefined;
  const seen = new Map<string, number>();
  for (const [index, item] of value.entries()) {
    const key: unknown = typeof item === 'object' && item !== null ? (item as { key?: unknown }).key : undefined;
    if (typeof key !== 'string') continue;
    const first = seen.get(key);
    if (first !== undefined) return { key, first, second: index };
    seen.set(key, index);
  }
  return undefined;
}

/**
 * A custom check that sees the whole object; `problem` returns a message or `undefined`.
 * The message is prefixed with the property name and must not contain the value.
 */
export function Satisfies(
  name: string,
  problem: (value: unknown, object: object) => string | undefined,
  options?: ValidationOptions,
): PropertyDecorator {
  return register(
    name,
    options,
    (value, args) => problem(value, args.object) === undefined,
    (args) => `${args.property} ${problem(args.value, args.object) ?? 'is invalid'}`,
  );
}
