import { IsString, MaxLength } from 'class-validator';

export class DiscoverConnectorRequestDto {
  /** An issuer, any URL of the provider, or an MCP server's URL. */
  @MaxLength(2048)
  @IsString()
  url: string;
}
