import { IsOptional, IsString, MaxLength } from 'class-validator';

export class DiscoverConnectorRequestDto {
  /** An issuer, any URL of the provider, or an MCP server's URL. */
  @MaxLength(2048)
  @IsString()
  url: string;
}

export class RediscoverConnectorRequestDto {
  /** Defaults to the connector's resource, else its issuer, else its authorization URL's origin. */
  @IsOptional()
  @MaxLength(2048)
  @IsString()
  url?: string;
}
