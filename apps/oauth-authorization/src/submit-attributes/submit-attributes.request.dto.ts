import { IsObject } from 'class-validator';

export class SubmitAttributesRequestDto {
  /** Values of the required attributes the session is missing; each is checked against its pattern. */
  @IsObject() attributes: Record<string, unknown>;
}
