import { Body, Controller, Headers, HttpCode, Post, UseGuards } from '@nestjs/common';
import { InternalApiGuard } from '@cb/platform';
import { SubmitAttributesRequestDto } from './submit-attributes.request.dto';
import { SubmitAttributesService } from './submit-attributes.service';

@Controller('internal/v1/connect')
@UseGuards(InternalApiGuard)
export class SubmitAttributesHttpController {
  constructor(private readonly submitAttributes: SubmitAttributesService) {}

  @Post('attributes')
  @HttpCode(200)
  submit(@Headers('x-connect-session') sessionToken: string | undefined, @Body() body: SubmitAttributesRequestDto): Promise<{ authorizationUrl: string }> {
    return this.submitAttributes.submit(sessionToken, body.attributes);
  }
}
