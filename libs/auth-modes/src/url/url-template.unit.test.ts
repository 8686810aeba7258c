import { renderUrl, UrlTemplateError } from '@cb/auth-modes';

function thrown(action: () => unknown): UrlTemplateError {
  try {
    action();
  } catch (error) {
    if (error instanceof UrlTemplateError) return error;
    throw error;
  }
  throw new Error('expected a UrlTemplateError');
}

describe('renderUrl', () => {
  it('fills the tenant and attributes', () => {
    expect(renderUrl('https://{attr.site}.example.com/{tenant}/token?region={attr.region}', {
      tenant: 'contoso',
      attributes: { site: 'acme', region: 'eu-west' },
    })).toBe('https://acme.example.com/contoso/token?region=eu-west');
  });

  it('percent-encodes values so they cannot add a path, query or host', () => {
    expect(renderUrl('https://login.example.com/{tenant}/token', { tenant: 'a/b?c#d' })).toBe(
      'https://login.example.com/a%2Fb%3Fc%23d/token',
    );
    expect(thrown(() => renderUrl('https://{attr.site}.example.com/x', { attributes: { site: 'evil.com/' } }))).toMatchObject({
      code: 'invalid_url_value',
    });
  });

  it('names the placeholder that has no value', () => {
    const error = thrown(() => renderUrl('https://{attr.site}.example.com/{tenant}', { tenant: 'common' }));
    expect(error).toMatchObject({ code: 'missing_url_value', placeholder: 'attr.site' });
    expect(error.message).toContain('{attr.site}');
    expect(thrown(() => renderUrl('https://x.example.com/{tenant}', { tenant: '' }))).toMatchObject({
      code: 'missing_url_value',
      placeholder: 'tenant',
    });
  });

  it('refuses unknown placeholders and malformed templates', () => {
    expect(thrown(() => renderUrl('https://x.example.com/{region}', {}))).toMatchObject({ code: 'unknown_placeholder', placeholder: 'region' });
    expect(thrown(() => renderUrl('https://x.example.com/{tenant', { tenant: 't' }))).toMatchObject({ code: 'malformed_url_template' });
    expect(thrown(() => renderUrl('{tenant}/token', { tenant: 't' }))).toMatchObject({ code: 'malformed_url_template' });
  });

  it('leaves a URL without placeholders as it is', () => {
    expect(renderUrl('https://oauth2.googleapis.com/token', {})).toBe('https://oauth2.googleapis.com/token');
  });
});
