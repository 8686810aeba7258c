import 'reflect-metadata';
import { IsIn, IsString, Length, Matches } from 'class-validator';
import { ApiBaseUrl } from '../../url/api-base-url';
import { Optional } from '../../validation/optional';
import { VerificationDto, VerificationMember } from '../../verification/verification.dto';
import { RequiredAttributeDto } from '../oauth2/oauth2-config.dto';
import { RequiredAttributesMember } from '../required-attributes-member';
import { SINGLE_LINE } from '../../validation/patterns';
import type { BearerConfigInput } from './bearer-config';

/** Request body for a bearer-token connector. */
export class BearerConfigDto implements BearerConfigInput {
  @IsIn(['BEARER'])
  readonly mode: 'BEARER';

  @Optional()
  @Matches(SINGLE_LINE, { message: 'label must be a single line' })
  @Length(1, 200)
  @IsString()
  readonly label?: string;

  @Optional()
  @ApiBaseUrl()
  readonly apiBaseUrl?: string;

  @VerificationMember()
  readonly verification?: VerificationDto;

  @RequiredAttributesMember()
  readonly requiredAttributes?: RequiredAttributeDto[];
}
