import { IsInt, IsOptional, Min } from 'class-validator';

export class ReportUnauthorizedRequestDto {
  /** The credential version the caller used; a report about an older version only says "read again". */
  @IsOptional() @IsInt() @Min(1) credentialVersion?: number;
}
