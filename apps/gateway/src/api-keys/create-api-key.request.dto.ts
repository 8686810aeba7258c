import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsString, Length, Matches } from 'class-validator';
import { API_KEY_SCOPES, ApiKeyScope } from '../auth/scopes';

@ApiSchema({ name: 'CreateApiKeyRequest' })
export class CreateApiKeyRequestDto {
  @ApiProperty({ example: 'billing backend', minLength: 1, maxLength: 100 })
  @Matches(/^[^\x00-\x1F\x7F]*$/, { message: 'name must be a single line' })
  @Length(1, 100)
  @IsString()
  name: string;

  @ApiProperty({ enum: API_KEY_SCOPES, isArray: true, example: ['connect'] })
  @IsIn(API_KEY_SCOPES, { each: true })
  @ArrayMaxSize(API_KEY_SCOPES.length)
  @ArrayMinSize(1)
  @IsArray()
  scopes: ApiKeyScope[];
}
