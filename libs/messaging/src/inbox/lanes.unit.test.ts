import { laneTopics } from './inbox.kafka-server';

describe('inbox lanes', () => {
  it('gives a named lane its topics and leaves every other topic on the main lane', () => {
    const lanes = laneTopics(['connector.activated', 'oauth.code-received', 'token.expired'], { refresh: ['token.expired'] });
    expect([...lanes]).toEqual([
      ['main', ['connector.activated', 'oauth.code-received']],
      ['refresh', ['token.expired']],
    ]);
  });

  it('leaves out a lane whose topics the service does not subscribe to', () => {
    expect([...laneTopics(['connector.activated'], { refresh: ['token.expired'] })]).toEqual([['main', ['connector.activated']]]);
  });
});
