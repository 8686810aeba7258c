import { Inject, Injectable, Logger } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import type { Request, Response } from 'express';
import { AppError, flattenValidationErrors, HotRoute, INTERNAL_API_TOKEN, INTERNAL_TOKEN_HEADER, InternalTokenCheck, validationFailed } from '@cb/platform';
import { uuidParam } from '../list-connections/connections.http.controller';
import { API_KEY_ID_HEADER } from '../read-credential/read-credential.route';
import { callerUnknown } from '../token-issuance.errors';
import { ImportConnectionRequestDto } from './import-connection.request.dto';
import { ImportConnectionService } from './import-connection.service';
import { ndjsonLines, type NdjsonEnd, type NdjsonLimits } from './ndjson-lines';

export const NDJSON = 'application/x-ndjson';
export const BULK_IMPORT_LIMITS: NdjsonLimits = { maxLineBytes: 64 * 1024, maxLines: 10_000, maxTotalBytes: 32 * 1024 * 1024 };

const workspaceParam = uuidParam('workspace');

/** One line of the report: the connection made from input line `line`, or why none was. */
type ReportLine = { line: number; connectionId: string } | { line: number; error: { code: string; message: string; details?: unknown } };

/**
 * `POST /internal/v1/workspaces/:workspaceId/connections/import` with an NDJSON body: one import
 * per line, read as it arrives (a streaming route, ahead of JSON parsing) and answered as an NDJSON
 * report, line by line, ending with a summary. A bad line is reported and the next one read; a
 * stream past the limits ends with `complete: false`. Error texts never hold a line's values.
 */
@Injectable()
export class BulkImportRoute implements HotRoute {
  readonly method = 'POST' as const;
  readonly path = /^\/internal\/v1\/workspaces\/([^/]+)\/connections\/import$/i;
  readonly template = '/internal/v1/workspaces/:workspaceId/connections/import (ndjson)';
  private readonly logger = new Logger(BulkImportRoute.name);
  private readonly token: InternalTokenCheck;

  constructor(
    private readonly importConnection: ImportConnectionService,
    @Inject(INTERNAL_API_TOKEN) internalApiToken: string,
  ) {
    this.token = new InternalTokenCheck(internalApiToken);
  }

  accepts(request: Request): boolean {
    return isNdjson(request.headers['content-type']);
  }

  async handle(request: Request, response: Response, [workspace = '']: string[]): Promise<void> {
    this.token.verify(request.headers[INTERNAL_TOKEN_HEADER] as string | undefined);
    const workspaceId: string = await workspaceParam.transform(workspace, { type: 'param' });
    const apiKeyId = request.headers[API_KEY_ID_HEADER];
    if (typeof apiKeyId !== 'string' || apiKeyId.length === 0 || apiKeyId.length > 128) throw callerUnknown(API_KEY_ID_HEADER);

    response.writeHead(200, { 'content-type': `${NDJSON}; charset=utf-8`, 'cache-control': 'no-store' });
    const counts = { imported: 0, failed: 0 };
    let end: NdjsonEnd;
    try {
      end = await this.importAll(request, response, workspaceId, apiKeyId, counts);
    } catch (error) {
      // The answer has begun: all that is left is to say it stopped (the report so far stands).
      this.logger.warn({ workspaceId, ...counts, errorName: (error as Error).name }, 'bulk import cut short');
      response.destroy();
      return;
    }
    await write(response, {
      summary: { ...counts, complete: end.complete, ...(end.complete ? {} : { reason: end.reason, limits: BULK_IMPORT_LIMITS }) },
    });
    this.logger.log({ workspaceId, apiKeyId, ...counts, complete: end.complete }, 'bulk import finished');
    response.end();
    // A stream cut at a limit is not read on; the connection closes with the answer.
    if (!end.complete) request.destroy();
  }

  private async importAll(request: Request, response: Response, workspaceId: string, apiKeyId: string, counts: { imported: number; failed: number }): Promise<NdjsonEnd> {
    const lines = ndjsonLines(request, BULK_IMPORT_LIMITS);
    let next = await lines.next();
    while (!next.done) {
      const input = next.value;
      const report = 'tooLong' in input ? lineTooLong(input.number) : await this.importLine(workspaceId, apiKeyId, input.number, input.text);
      if ('connectionId' in report) counts.imported += 1;
      else counts.failed += 1;
      await write(response, report);
      next = await lines.next();
    }
    return next.value;
  }

  private async importLine(workspaceId: string, apiKeyId: string, line: number, text: string): Promise<ReportLine> {
    try {
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        return { line, error: { code: 'invalid_json', message: 'the line is not a JSON object' } };
      }
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return { line, error: { code: 'invalid_json', message: 'the line is not a JSON object' } };
      const request = plainToInstance(ImportConnectionRequestDto, parsed);
      const errors = await validate(request, { whitelist: true, forbidNonWhitelisted: true, validationError: { target: false, value: false } });
      if (errors.length > 0) throw validationFailed(flattenValidationErrors(errors));
      const connection = await this.importConnection.import(workspaceId, apiKeyId, request);
      return { line, connectionId: connection.id };
    } catch (error) {
      if (error instanceof AppError && error.status < 500) return { line, error: { code: error.code, message: error.message, ...(error.details === undefined ? {} : { details: error.details }) } };
      this.logger.error({ line, errorName: (error as Error).name }, 'a bulk import line failed');
      return { line, error: { code: 'internal_error', message: 'the line could not be imported; it may be sent again' } };
    }
  }
}

function lineTooLong(line: number): ReportLine {
  return { line, error: { code: 'line_too_long', message: `the line is longer than ${BULK_IMPORT_LIMITS.maxLineBytes} bytes` } };
}

export function isNdjson(contentType: string | undefined): boolean {
  return (contentType ?? '').split(';')[0]?.trim().toLowerCase() === NDJSON;
}

/** Waits for the socket to take the line (backpressure: a slow reader slows the import, never buffers it). */
async function write(response: Response, value: object): Promise<void> {
  if (response.write(`${JSON.stringify(value)}\n`)) return;
  await new Promise<void>((resolve, reject) => {
    const drained = (): void => {
      response.off('close', closed);
      resolve();
    };
    const closed = (): void => {
      response.off('drain', drained);
      reject(new Error('the caller closed the connection'));
    };
    response.once('drain', drained);
    response.once('close', closed);
  });
}
