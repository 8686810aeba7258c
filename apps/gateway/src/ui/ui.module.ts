import { Module } from '@nestjs/common';
import { loadUiAssets } from './ui-assets';
import { UI_ASSETS, UiHttpController } from './ui.http.controller';

/** Serves the web UI's static files from apps/gateway/ui-assets (plain ES modules and one stylesheet). */
@Module({
  controllers: [UiHttpController],
  providers: [{ provide: UI_ASSETS, useFactory: () => loadUiAssets() }],
})
export class UiModule {}
