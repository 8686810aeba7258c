import { ArrayMaxSize, IsArray, IsOptional, IsString, Length, MaxLength } from 'class-validator';
import { ConnectorNamingDto } from '../connectors/connector-envelope.dto';

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

/** A connector from one URL: discovered, and its client pre-registered (given) or registered by the broker. */
export class CreateFromUrlRequestDto extends ConnectorNamingDto {
  @MaxLength(2048)
  @IsString()
  url: string;

  /** A client registered at the provider by hand; without it the broker registers one where the server allows. */
  @IsOptional()
  @Length(1, 500)
  @IsString()
  clientId?: string;

  @IsOptional()
  @Length(1, 4000)
  @IsString()
  clientSecret?: string;

  /** Replaces the discovered scopes. */
  @IsOptional()
  @IsString({ each: true })
  @ArrayMaxSize(100)
  @IsArray()
  scopes?: string[];
}
