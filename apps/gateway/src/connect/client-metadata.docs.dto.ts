import { ApiProperty, ApiSchema } from '@nestjs/swagger';

/** Member names as the Client ID Metadata Document and RFC 7591 spell them. */
@ApiSchema({ name: 'ClientMetadataDocument' })
export class ClientMetadataDocumentDoc {
  @ApiProperty({ description: "This document's own URL." }) client_id: string;
  @ApiProperty() client_name: string;
  @ApiProperty() client_uri: string;
  @ApiProperty({ type: [String] }) redirect_uris: string[];
  @ApiProperty({ type: [String] }) grant_types: string[];
  @ApiProperty({ type: [String] }) response_types: string[];
  @ApiProperty({ enum: ['none'], description: 'A public client: PKCE, no shared secret.' }) token_endpoint_auth_method: string;
}
