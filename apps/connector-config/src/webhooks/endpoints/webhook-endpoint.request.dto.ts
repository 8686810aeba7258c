import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsBoolean, IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { WEBHOOK_EVENT_TYPES, type WebhookEventType } from '@cb/events';

export const MAX_URL_LENGTH = 2048;
export const MAX_GRACE_SECONDS = 7 * 24 * 3600;
export const DEFAULT_GRACE_SECONDS = 24 * 3600;

export class CreateWebhookEndpointRequestDto {
  @IsString() @MaxLength(MAX_URL_LENGTH) url: string;
  @IsArray() @ArrayMinSize(1) @ArrayMaxSize(WEBHOOK_EVENT_TYPES.length) @IsIn(WEBHOOK_EVENT_TYPES, { each: true }) eventTypes: WebhookEventType[];
  @IsOptional() @IsBoolean() enabled?: boolean;
  @IsOptional() @IsString() @MaxLength(500) description?: string;
}

export class UpdateWebhookEndpointRequestDto {
  @IsOptional() @IsString() @MaxLength(MAX_URL_LENGTH) url?: string;
  @IsOptional() @IsArray() @ArrayMinSize(1) @ArrayMaxSize(WEBHOOK_EVENT_TYPES.length) @IsIn(WEBHOOK_EVENT_TYPES, { each: true }) eventTypes?: WebhookEventType[];
  @IsOptional() @IsBoolean() enabled?: boolean;
  @IsOptional() @IsString() @MaxLength(500) description?: string;
}

export class RotateWebhookSecretRequestDto {
  /** How long the previous secret keeps signing beside the new one. */
  @IsOptional() @IsInt() @Min(0) @Max(MAX_GRACE_SECONDS) graceSeconds?: number;
}

export class ListDeliveriesQueryDto {
  @IsOptional() @IsIn(['pending', 'succeeded', 'failed']) status?: 'pending' | 'succeeded' | 'failed';
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(100) limit?: number;
  @IsOptional() @IsString() @Matches(/^\d{1,18}$/) cursor?: string;
}
