import 'reflect-metadata';
import { IsIn, IsString, Length, Matches } from 'class-validator';
import { ApiBaseUrl } from '../../url/api-base-url';
import { Optional } from '../../validation/optional';
import { VerificationDto, VerificationMember } from '../../verification/verification.dto';
import { RequiredAttributeDto } from '../oauth2/oauth2-config.dto';
import { RequiredAttributesMember } from '../required-attributes-member';
import { SINGLE_LINE } from '../../validation/patterns';
import type { BasicConfigInput } from './basic-config';

/** Request body for a Basic-auth connector. */
export class BasicConfigDto implements BasicConfigInput {
  @IsIn(['BASIC'])
  readonly mode: 'BASIC';

  @Optional()
  @Matches(SINGLE_LINE, { message: 'usernameLabel must be a single line' })
  @Length(1, 200)
  @IsString()
  readonly usernameLabel?: string;

  @Optional()
  @Matches(SINGLE_LINE, { message: 'passwordLabel must be a single line' })
  @Length(1, 200)
  @IsString()
  readonly passwordLabel?: string;

  @Optional()
  @ApiBaseUrl()
  readonly apiBaseUrl?: string;

  @VerificationMember()
  readonly verification?: VerificationDto;

  @RequiredAttributesMember()
  readonly requiredAttributes?: RequiredAttributeDto[];
}
