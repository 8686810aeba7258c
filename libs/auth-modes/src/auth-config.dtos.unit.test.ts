import { BadRequestException, ValidationPipe } from '@nestjs/common';
import { AUTH_CONFIG_DTOS, CustomInputConfigDto, OAuth2ConfigDto } from '@cb/auth-modes';

/** The pipe the services install globally (STYLE.md, convention 5). */
const pipe = new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true });

async function asBody(metatype: new () => object, body: unknown): Promise<unknown> {
  return pipe.transform(body, { type: 'body', metatype });
}

async function messagesFor(metatype: new () => object, body: unknown): Promise<string[]> {
  try {
    await asBody(metatype, body);
  } catch (error) {
    if (error instanceof BadRequestException) return (error.getResponse() as { message: string[] }).message;
    throw error;
  }
  throw new Error('expected the pipe to refuse the body');
}

describe('the DTOs as NestJS request bodies', () => {
  it('turns a valid body into the DTO instance', async () => {
    const body = { mode: 'OAUTH2', tokenUrl: 'https://auth.example.com/token', scopes: ['a'] };
    await expect(asBody(OAuth2ConfigDto, body)).resolves.toBeInstanceOf(OAuth2ConfigDto);
  });

  it('refuses unknown members and nested errors', async () => {
    const messages = await messagesFor(CustomInputConfigDto, { mode: 'CUSTOM', fields: [{ key: 'a', label: 'A', type: 'blob' }], x: 1 });
    expect(messages).toEqual(expect.arrayContaining(['property x should not exist', expect.stringContaining('fields.0.type')]));
  });

  it('applies the strict URL policy when no validation group is chosen', async () => {
    const messages = await messagesFor(OAuth2ConfigDto, { mode: 'OAUTH2', tokenUrl: 'http://localhost/token' });
    expect(messages).toEqual([expect.stringContaining('must use https')]);
  });

  it('has one DTO per mode', () => {
    expect(Object.keys(AUTH_CONFIG_DTOS)).toEqual(['OAUTH2', 'BASIC', 'API_KEY', 'BEARER', 'CUSTOM']);
  });
});
