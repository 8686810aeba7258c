import { Body, Controller, Headers, HttpCode, Post, UseGuards } from '@nestjs/common';
import { InternalApiGuard } from '@cb/platform';
import { SubmitAttributesService } from './submit-attributes.service';

@Controller('internal/v1/connect')
@UseGuards(InternalApiGuard)
export class SubmitAttributesHttpController {
  constructor(private readonly submitAttributes: SubmitAttributesService) {}

  /** `{ attributes: { <key>: <value> } }`, checked once the session token is (a bad token answers 401 whatever the body). */
  @Post('attributes')
  @HttpCode(200)
  submit(@Headers('x-connect-session') sessionToken: string | undefined, @Body() body: unknown): Promise<{ authorizationUrl?: string }> {
    return this.submitAttributes.submit(sessionToken, body);
  }
}
