import { pinnedDomains } from './pinned-domain';

describe('pinnedDomains', () => {
  it.each([
    ['(login|test)\\.salesforce\\.com|[A-Za-z0-9-]+(\\.(sandbox|develop|scratch))?\\.my\\.salesforce\\.com', ['salesforce.com', 'my.salesforce.com']],
    ['[a-z0-9-]+\\.zendesk\\.com', ['zendesk.com']],
    ['.+\\.example\\.com', ['example.com']],
    ['login\\.example\\.com', ['login.example.com']],
    ['[]a-z]+\\.example\\.com', ['example.com']],
  ])('%s pins %j', (pattern, domains) => {
    expect(pinnedDomains(pattern)).toEqual(domains);
  });

  it.each([
    '.+',
    '.*',
    '[a-z.]+',
    '.*example\\.com',
    '[a-z]+\\.com',
    '[a-z]+\\.example\\.com|.+',
    '[a-z]+(\\.example\\.com)?',
    '[a-z]+\\.example\\.com+',
    '[a-z]+\\.example\\.com*',
    '[a-z]+\\.example\\.co[a-z]',
    '[a-z]+\\.example\\.c(om)',
    '[a-z]+\\.example\\.123',
    '[a-z]+\\.example\\.com$',
    '.*\\Q.example.com\\E',
    '[a-z|]+\\.example\\.com|x(y|.+)',
  ])('%s pins no domain', (pattern) => {
    expect(pinnedDomains(pattern)).toBeUndefined();
  });
});
