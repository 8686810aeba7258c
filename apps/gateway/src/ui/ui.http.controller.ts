import { Controller, Get, Inject, Param, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { notFound } from '@cb/platform';
import { Public } from '../auth';
import { RateLimit } from '../rate-limit/rate-limit.decorator';
import type { UiAsset } from './ui-assets';

export const UI_ASSETS = Symbol('UI_ASSETS');

/**
 * Same-origin only, no inline script or style, nothing from elsewhere. `no-referrer` because the
 * connect dialog carries its session token in the URL fragment (and, when a caller used the query
 * form, in the address until the page removes it).
 */
const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'cross-origin-resource-policy': 'same-origin',
};

/**
 * The web UI: connector settings (`/ui/`) and the connect dialog (`/ui/connect.html#session=…`).
 * The files are public; every API call they make carries the key or session token the user holds.
 * They spend the connect dialog's bucket of the client address, like the dialog's API calls.
 */
@ApiExcludeController()
@Public()
@RateLimit('connectDialog')
@Controller('ui')
export class UiHttpController {
  constructor(@Inject(UI_ASSETS) private readonly assets: Map<string, UiAsset>) {}

  @Get()
  index(@Res() res: Response): void {
    if (!res.req.originalUrl.split('?')[0]?.endsWith('/')) {
      res.redirect(301, '/ui/');
      return;
    }
    this.send(res, 'index.html');
  }

  /** Express 5 gives the segments of `*path` (decoded) as an array: `settings/sign-in.js` is `['settings', 'sign-in.js']`. */
  @Get('*path')
  file(@Param('path') path: string[] | string, @Res() res: Response): void {
    this.send(res, Array.isArray(path) ? path.join('/') : path);
  }

  private send(res: Response, name: string): void {
    const asset = this.assets.get(name);
    if (!asset) throw notFound('file');
    res.set(SECURITY_HEADERS);
    res.set('content-type', asset.contentType);
    res.set('cache-control', name.endsWith('.html') ? 'no-store' : 'no-cache');
    res.status(200).send(asset.body);
  }
}
