import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';

@ApiSchema({ name: 'ErrorDetail' })
export class ErrorDetailDoc {
  @ApiProperty({ example: 'validation_failed', description: 'Stable, machine-readable; the list per route is in its description.' }) code: string;
  @ApiProperty({ description: 'For people; never contains a secret or a submitted value.' }) message: string;
  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: 'e.g. `errors: [{ path, message }]` for `validation_failed`, `retryAfterSeconds`.' })
  details?: Record<string, unknown>;
}

/** Every error answer of every service, passed through the gateway unchanged. */
@ApiSchema({ name: 'ErrorBody' })
export class ErrorBodyDoc {
  @ApiProperty({ type: ErrorDetailDoc }) error: ErrorDetailDoc;
}
