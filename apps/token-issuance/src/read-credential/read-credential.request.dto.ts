import { IsBoolean, IsOptional } from 'class-validator';

export class ReadCredentialRequestDto {
  /** The refresh token is withheld unless asked for. */
  @IsOptional() @IsBoolean() includeRefreshToken?: boolean;
}
