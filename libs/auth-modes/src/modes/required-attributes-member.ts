import 'reflect-metadata';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, ValidateNested } from 'class-validator';
import { HasUniqueKeys } from '../validation/decorators';
import { Optional } from '../validation/optional';
import { RequiredAttributeDto } from './oauth2/oauth2-config.dto';

/**
 * The `requiredAttributes` member every mode's DTO has: values the end user (or the app opening the
 * session) gives per connection, such as a Zendesk subdomain, usable in URLs as `{attr.<key>}`.
 */
export function RequiredAttributesMember(): PropertyDecorator {
  const decorators = [
    Type(() => RequiredAttributeDto),
    IsArray(),
    ArrayMaxSize(20),
    ValidateNested({ each: true, message: 'each requiredAttributes item must be an object' }),
    HasUniqueKeys(),
    Optional(),
  ];
  return (target, property) => {
    for (const decorate of decorators) decorate(target, property);
  };
}
