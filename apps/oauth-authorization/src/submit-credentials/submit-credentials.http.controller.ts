import { Body, Controller, Headers, HttpCode, Post, UseGuards } from '@nestjs/common';
import { SubmitCredentialsService } from './submit-credentials.service';
import { InternalApiGuard } from '@cb/platform';

@Controller('internal/v1/connect')
@UseGuards(InternalApiGuard)
export class SubmitCredentialsHttpController {
  constructor(private readonly submitCredentials: SubmitCredentialsService) {}

  /** The body is the connector's form (`{ username, password }`, `{ apiKey }`, `{ token }`, `{ values }`), validated per connector. */
  @Post('credentials')
  @HttpCode(202)
  submit(@Headers('x-connect-session') sessionToken: string | undefined, @Body() body: unknown): Promise<{ sessionId: string; status: 'pending' }> {
    return this.submitCredentials.submit(sessionToken, body);
  }
}
