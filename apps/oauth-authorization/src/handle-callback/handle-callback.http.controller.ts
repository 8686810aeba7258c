import { Controller, Get, Query, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import { renderCallbackResponse } from './callback-page';
import { CallbackQuery, HandleCallbackService } from './handle-callback.service';
import { InternalApiGuard } from '@cb/platform';

/** The gateway's public GET /oauth/callback forwards the provider's query string here unchanged. */
@Controller('internal/v1/oauth')
@UseGuards(InternalApiGuard)
export class HandleCallbackHttpController {
  constructor(private readonly handleCallback: HandleCallbackService) {}

  @Get('callback')
  async callback(@Query() query: Record<string, unknown>, @Res() response: Response): Promise<void> {
    const callbackQuery: CallbackQuery = {};
    for (const name of ['code', 'state', 'iss', 'error'] as const) {
      const value = single(query[name]);
      if (value !== undefined) callbackQuery[name] = value;
    }
    const outcome = await this.handleCallback.handle(callbackQuery);
    const page = renderCallbackResponse(outcome);
    response.status(page.status).set(page.headers).send(page.body);
  }
}

/** A parameter given twice is refused as if absent (RFC 6749 §3.1: parameters must not repeat). */
function single(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
