import 'reflect-metadata';
import { IsIn, IsString, Length, Matches } from 'class-validator';
import { Satisfies } from '../../validation/decorators';
import { ApiBaseUrl } from '../../url/api-base-url';
import { Optional } from '../../validation/optional';
import { VerificationDto, VerificationMember } from '../../verification/verification.dto';
import { RequiredAttributeDto } from '../oauth2/oauth2-config.dto';
import { RequiredAttributesMember } from '../required-attributes-member';
import { HEADER_NAME, SINGLE_LINE } from '../../validation/patterns';
import { API_KEY_PLACEMENTS, type ApiKeyConfigInput, type ApiKeyPlacement } from './api-key-config';

function OnlyForPlacement(placement: ApiKeyPlacement): PropertyDecorator {
  return Satisfies('matchesPlacement', (_value, object) =>
    ((object as ApiKeyConfigDto).placement ?? 'header') === placement ? undefined : `applies only to placement '${placement}'`,
  );
}

/** Request body for an API-key connector; header members and query members exclude each other. */
export class ApiKeyConfigDto implements ApiKeyConfigInput {
  @IsIn(['API_KEY'])
  readonly mode: 'API_KEY';

  @Optional()
  @Matches(SINGLE_LINE, { message: 'label must be a single line' })
  @Length(1, 200)
  @IsString()
  readonly label?: string;

  @Optional()
  @IsIn(API_KEY_PLACEMENTS)
  readonly placement?: ApiKeyPlacement;

  @Optional()
  @Length(1, 100)
  @Matches(HEADER_NAME, { message: 'headerName must be an HTTP header name' })
  @OnlyForPlacement('header')
  readonly headerName?: string;

  @Optional()
  @Matches(/^[\x21-\x7E]+$/, { message: 'prefix must be printable ASCII without spaces' })
  @Length(1, 50)
  @OnlyForPlacement('header')
  @IsString()
  readonly prefix?: string;

  @Optional()
  @Matches(/^[A-Za-z0-9_.~-]{1,100}$/, { message: 'queryParam must be a plain query parameter name' })
  @OnlyForPlacement('query')
  @IsString()
  readonly queryParam?: string;

  @Optional()
  @ApiBaseUrl()
  readonly apiBaseUrl?: string;

  @VerificationMember()
  readonly verification?: VerificationDto;

  @RequiredAttributesMember()
  readonly requiredAttributes?: RequiredAttributeDto[];
}
