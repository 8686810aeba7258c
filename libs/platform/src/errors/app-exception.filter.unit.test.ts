import { ArgumentsHost, BadRequestException } from '@nestjs/common';
import { AppExceptionFilter } from './app-exception.filter';

function respond(exception: unknown): { status: number; body: { error: { code: string; message: string } } } {
  const captured = { status: 0, body: undefined as unknown };
  const response = { setHeader: () => undefined, status: (s: number) => ((captured.status = s), { json: (b: unknown) => (captured.body = b) }) };
  const host = { getType: () => 'http', switchToHttp: () => ({ getResponse: () => response }) } as unknown as ArgumentsHost;
  new AppExceptionFilter().catch(exception, host);
  return captured as { status: number; body: { error: { code: string; message: string } } };
}

describe('AppExceptionFilter and body-parser errors', () => {
  it('maps an oversized body (body-parser 413, not an HttpException) to 413 payload_too_large', () => {
    const tooLarge = Object.assign(new Error('request entity too large'), { type: 'entity.too.large', status: 413, expose: true });
    expect(respond(tooLarge)).toEqual({ status: 413, body: { error: { code: 'payload_too_large', message: 'request body is too large' } } });
  });

  it("maps Nest's wrapping of a JSON syntax error to 400 malformed_json without echoing the body", () => {
    const result = respond(new BadRequestException('Unexpected token } in JSON at position 9'));
    expect(result).toEqual({ status: 400, body: { error: { code: 'malformed_json', message: 'request body is not valid JSON' } } });
  });

  it('still hides unknown errors', () => {
    expect(respond(new Error('secret detail'))).toEqual({ status: 500, body: { error: { code: 'internal_error', message: 'internal error' } } });
  });
});

describe('AppExceptionFilter and refused bodies', () => {
  it('maps a body nested too deep or holding NUL to 400 bad_request with a message naming the problem', () => {
    const { RequestBodyRefused } = jest.requireActual<typeof import('../http/request-limits')>('../http/request-limits');
    expect(respond(new RequestBodyRefused('entity.too.deep', 'request body is nested deeper than 64 levels'))).toEqual({
      status: 400,
      body: { error: { code: 'bad_request', message: 'request body is nested deeper than 64 levels' } },
    });
  });
});

describe('AppExceptionFilter and an unavailable database', () => {
  it.each([
    Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
    Object.assign(new Error('terminating connection due to administrator command'), { driverError: { code: '57P01' } }),
    Object.assign(new Error('the database system is starting up'), { code: '57P03' }),
    new Error('Connection terminated unexpectedly'),
    new Error('Client has encountered a connection error and is not queryable'),
    Object.assign(new Error('Query runner already released. Cannot run queries anymore.'), { name: 'QueryRunnerAlreadyReleasedError' }),
  ])('answers 503 database_unavailable, not 500, for %p', (error) => {
    expect(respond(error)).toEqual({ status: 503, body: { error: { code: 'database_unavailable', message: 'the database is unavailable; retry shortly' } } });
  });
});
