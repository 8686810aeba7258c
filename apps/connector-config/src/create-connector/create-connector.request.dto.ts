import { ArrayMaxSize, IsArray, IsDefined, IsObject, IsOptional, IsString, Length, Matches } from 'class-validator';
import { ConnectorNamingDto, SINGLE_LINE, SLUG, SLUG_MESSAGE } from '../connectors/connector-envelope.dto';

/** From scratch: a slug, a name and a whole auth configuration. */
export class CreateConnectorRequestDto {
  @Matches(SLUG, { message: SLUG_MESSAGE })
  @IsString()
  slug: string;

  @Matches(SINGLE_LINE, { message: 'name must be a single line' })
  @Length(1, 200)
  @IsString()
  name: string;

  @IsObject()
  @IsDefined()
  config: Record<string, unknown>;
}

/**
 * From a provider template: only the client registration (OAuth2 templates; other modes need
 * nothing, the end user brings the credential); slug and name default to the template's.
 */
export class CreateFromTemplateRequestDto extends ConnectorNamingDto {
  @Length(1, 64)
  @IsString()
  templateId: string;

  @IsOptional()
  @Length(1, 500)
  @IsString()
  clientId?: string;

  @IsOptional()
  @Length(1, 4000)
  @IsString()
  clientSecret?: string;

  @IsOptional()
  @IsString({ each: true })
  @ArrayMaxSize(100)
  @IsArray()
  scopes?: string[];
}
